/* confab-json-reader.h: a strict, allocation-free JSON reader for frames
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Private to src/protocol: only its own sources have private/ on their
 * include path.
 *
 * Why not JsonParser: on a 2 KiB create_offer, json-glib's parser alone
 * takes about 11 µs (it builds a GHashTable per object and copies every
 * string), which caps a relay at well under the 50,000 messages/s the
 * server must reach on one core.  A signalling frame needs only the
 * members of the root object and of the objects directly inside it, so
 * this reader validates the whole frame against RFC 8259 in one pass and
 * records just those members as spans of the frame; strings are unescaped
 * only when a caller asks for one.  Everything else (arrays, deeper
 * objects) is checked for well-formedness and skipped. */

typedef enum
{
  CONFAB_JSON_NULL,
  CONFAB_JSON_FALSE,
  CONFAB_JSON_TRUE,
  CONFAB_JSON_NUMBER,
  CONFAB_JSON_STRING,
  CONFAB_JSON_OBJECT,
  CONFAB_JSON_ARRAY,
} ConfabJsonKind;

/* Members of an object the reader recorded.  More than this in one
 * recorded object is refused: no message of the protocol comes close. */
#define CONFAB_JSON_READER_MAX_MEMBERS 32

typedef struct
{
  const char     *key;        /* inside the quotes, still escaped */
  guint           key_length;
  gboolean        key_escaped;
  ConfabJsonKind  kind;
  const char     *value;      /* strings: inside the quotes; numbers: the token */
  guint           value_length;
  gboolean        value_escaped;
  /* Links through the reader's table, as index + 1 (0 ends a chain):
   * an object's first member, and a member's next sibling.  Members of a
   * recorded object are not contiguous in the table, since the members of
   * an object inside it are recorded while it is being read. */
  guint           first_member;
  guint           next;
} ConfabJsonMember;

typedef struct
{
  ConfabJsonMember members[CONFAB_JSON_READER_MAX_MEMBERS * 2];
  guint            n_members;
  ConfabJsonMember root;
} ConfabJsonReader;

typedef enum
{
  CONFAB_JSON_READER_OK,
  CONFAB_JSON_READER_SYNTAX,      /* not JSON */
  CONFAB_JSON_READER_TOO_DEEP,    /* nested past the depth limit */
  CONFAB_JSON_READER_TOO_MANY,    /* a recorded object has too many members */
  CONFAB_JSON_READER_SURROGATE,   /* a \u escape that is not a whole character */
  CONFAB_JSON_READER_NUL,         /* \u0000, which no C string can hold */
} ConfabJsonReaderStatus;

/* The length of the longest prefix of @p (at most @length bytes) that a
 * JSON string holds as it is: no control characters, quotes or
 * backslashes.  Eight bytes at a time, since most of a frame is the
 * inside of one long string (the SDP). */
gsize                    confab_json_plain_length           (const char             *p,
                                                             gsize                   length);

/* @frame must be valid UTF-8 without NUL bytes (the caller checks, once).
 * On failure, *@error_offset is where reading stopped. */
ConfabJsonReaderStatus   confab_json_reader_read            (ConfabJsonReader       *reader,
                                                             const char             *frame,
                                                             gsize                   length,
                                                             guint                   max_depth,
                                                             gsize                  *error_offset);

/* The last member named @key of the root (@object NULL) or of a recorded
 * object; NULL if there is none.  JSON.parse() keeps the last duplicate
 * too. */
const ConfabJsonMember  *confab_json_reader_find            (const ConfabJsonReader *reader,
                                                             const ConfabJsonMember *object,
                                                             const char             *key);

/* A newly allocated, unescaped copy of a string member. */
char                    *confab_json_member_dup_string      (const ConfabJsonMember *member);

/* A number member as a double; FALSE if it does not fit one. */
gboolean                 confab_json_member_get_number      (const ConfabJsonMember *member,
                                                             double                 *value);

G_END_DECLS
