/* confab-message.c: one signalling message, parsed, validated or built
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "confab-json-reader.h"
#include "confab-message.h"
#include "confab-protocol-error.h"
#include "confab-utf8.h"

struct _ConfabMessage
{
  gatomicrefcount   ref_count;
  ConfabMessageKind kind;

  char *name;
  char *target;

  /* user_stored, user_already_exists, transfer_response */
  char *user;

  /* create_offer, create_answer, offer_received, answer_received */
  char *sdp;
  char *sdp_type;

  /* ice_candidate */
  char *candidate;
  char *sdp_mid;
  int   sdp_mline_index;

  /* error */
  char *error_code;
  char *error_message;
  char *error_ref;
};

G_DEFINE_BOXED_TYPE (ConfabMessage, confab_message, confab_message_ref, confab_message_unref)

static const struct {
  const char *wire_name;
  gboolean    client_request;
} kinds[CONFAB_MESSAGE_N_KINDS] = {
  [CONFAB_MESSAGE_STORE_USER] = { "store_user", TRUE },
  [CONFAB_MESSAGE_START_TRANSFER] = { "start_transfer", TRUE },
  [CONFAB_MESSAGE_CREATE_OFFER] = { "create_offer", TRUE },
  [CONFAB_MESSAGE_CREATE_ANSWER] = { "create_answer", TRUE },
  [CONFAB_MESSAGE_DECLINE] = { "decline", TRUE },
  [CONFAB_MESSAGE_HANG_UP] = { "hang_up", TRUE },
  [CONFAB_MESSAGE_USER_STORED] = { "user_stored", FALSE },
  [CONFAB_MESSAGE_USER_ALREADY_EXISTS] = { "user_already_exists", FALSE },
  [CONFAB_MESSAGE_TRANSFER_RESPONSE] = { "transfer_response", FALSE },
  [CONFAB_MESSAGE_OFFER_RECEIVED] = { "offer_received", FALSE },
  [CONFAB_MESSAGE_ANSWER_RECEIVED] = { "answer_received", FALSE },
  [CONFAB_MESSAGE_OFFER_DECLINED] = { "offer_declined", FALSE },
  [CONFAB_MESSAGE_PEER_HUNG_UP] = { "peer_hung_up", FALSE },
  /* A client sends ice_candidate with a target; the server delivers it
   * with the sender's name.  Both directions are legitimate. */
  [CONFAB_MESSAGE_ICE_CANDIDATE] = { "ice_candidate", TRUE },
  [CONFAB_MESSAGE_ERROR] = { "error", FALSE },
};

static ConfabMessage *
confab_message_alloc (ConfabMessageKind kind)
{
  ConfabMessage *self = g_new0 (ConfabMessage, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->sdp_mline_index = -1;

  return self;
}

ConfabMessage *
confab_message_ref (ConfabMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
confab_message_unref (ConfabMessage *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->name);
  g_free (self->target);
  g_free (self->user);
  g_free (self->sdp);
  g_free (self->sdp_type);
  g_free (self->candidate);
  g_free (self->sdp_mid);
  g_free (self->error_code);
  g_free (self->error_message);
  g_free (self->error_ref);
  g_free (self);
}

const char *
confab_message_kind_to_string (ConfabMessageKind kind)
{
  g_return_val_if_fail ((guint) kind < CONFAB_MESSAGE_N_KINDS, NULL);

  return kinds[kind].wire_name;
}

gboolean
confab_message_kind_from_string (const char        *string,
                                 ConfabMessageKind *kind)
{
  g_return_val_if_fail (string != NULL, FALSE);

  for (guint i = 0; i < CONFAB_MESSAGE_N_KINDS; i++)
    {
      if (strcmp (kinds[i].wire_name, string) == 0)
        {
          if (kind != NULL)
            *kind = i;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
confab_message_kind_is_client_request (ConfabMessageKind kind)
{
  g_return_val_if_fail ((guint) kind < CONFAB_MESSAGE_N_KINDS, FALSE);

  return kinds[kind].client_request;
}

gboolean
confab_message_validate_name (const char  *name,
                              GError     **error)
{
  gsize length;

  g_return_val_if_fail (name != NULL, FALSE);

  length = strlen (name);

  if (length == 0)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NAME_EMPTY,
                           "The name is empty");
      return FALSE;
    }

  if (length > CONFAB_MESSAGE_MAX_NAME_LENGTH)
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG,
                   "The name is %" G_GSIZE_FORMAT " bytes long; at most %d are allowed",
                   length, CONFAB_MESSAGE_MAX_NAME_LENGTH);
      return FALSE;
    }

  if (!g_utf8_validate_len (name, length, NULL))
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NAME_INVALID,
                           "The name is not valid UTF-8");
      return FALSE;
    }

  for (const char *p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Control and format characters would let one name masquerade as
       * another in a log or a list (think U+202E, right-to-left override). */
      if (g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_FORMAT ||
          c == 0x2028 || c == 0x2029)
        {
          g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NAME_INVALID,
                       "The name contains the control character U+%04X", c);
          return FALSE;
        }
    }

  return TRUE;
}

/* Parsing */

typedef enum
{
  FIELD_OPTIONAL,
  FIELD_REQUIRED,
} FieldPresence;

/* Reads a string member of @object (NULL: the root).  Absent and null are
 * the same thing: the mobile app leaves absent fields out, other clients
 * send null. */
static gboolean
read_string (const ConfabJsonReader  *reader,
             const ConfabJsonMember  *object,
             const char              *context,
             const char              *member,
             FieldPresence            presence,
             char                   **out,
             GError                 **error)
{
  const ConfabJsonMember *node = confab_json_reader_find (reader, object, member);

  if (node == NULL || node->kind == CONFAB_JSON_NULL)
    {
      if (presence == FIELD_REQUIRED)
        {
          g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_MISSING_FIELD,
                       "The field “%s%s” is missing", context, member);
          return FALSE;
        }
      return TRUE;
    }

  if (node->kind != CONFAB_JSON_STRING)
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID_FIELD,
                   "The field “%s%s” must be a string", context, member);
      return FALSE;
    }

  *out = confab_json_member_dup_string (node);

  return TRUE;
}

static gboolean
read_name (const ConfabJsonReader  *reader,
           const char              *member,
           FieldPresence            presence,
           char                   **out,
           GError                 **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!read_string (reader, NULL, "", member, presence, out, error))
    return FALSE;

  if (*out != NULL && !confab_message_validate_name (*out, &local_error))
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, local_error->code,
                   "The field “%s” is not a valid name: %s", member, local_error->message);
      g_clear_pointer (out, g_free);
      return FALSE;
    }

  return TRUE;
}

static const ConfabJsonMember *
read_object (const ConfabJsonReader  *reader,
             const char              *member,
             GError                 **error)
{
  const ConfabJsonMember *node = confab_json_reader_find (reader, NULL, member);

  if (node == NULL || node->kind == CONFAB_JSON_NULL)
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_MISSING_FIELD,
                   "The field “%s” is missing", member);
      return NULL;
    }

  if (node->kind != CONFAB_JSON_OBJECT)
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID_FIELD,
                   "The field “%s” must be an object", member);
      return NULL;
    }

  return node;
}

/* The mobile app's Gson sends sdpMLineIndex as a double (0.0); browsers
 * send an integer.  Either is fine as long as it names a real m-line. */
static gboolean
read_mline_index (const ConfabJsonReader  *reader,
                  const ConfabJsonMember  *data,
                  int                     *out,
                  GError                 **error)
{
  const ConfabJsonMember *node = confab_json_reader_find (reader, data, "sdpMLineIndex");
  double value;

  if (node == NULL || node->kind == CONFAB_JSON_NULL)
    {
      *out = -1;
      return TRUE;
    }

  if (node->kind != CONFAB_JSON_NUMBER)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID_FIELD,
                           "The field “data.sdpMLineIndex” must be a number");
      return FALSE;
    }

  if (!confab_json_member_get_number (node, &value) ||
      !isfinite (value) || value < 0 || value > G_MAXUINT16 || value != floor (value))
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID_FIELD,
                           "The field “data.sdpMLineIndex” must be a whole number from 0 to 65535");
      return FALSE;
    }

  *out = (int) value;

  return TRUE;
}

static gboolean
parse_fields (ConfabMessage           *self,
              const ConfabJsonReader  *reader,
              GError                 **error)
{
  const ConfabJsonMember *data;

  switch (self->kind)
    {
    case CONFAB_MESSAGE_STORE_USER:
      return read_name (reader, "name", FIELD_REQUIRED, &self->name, error);

    case CONFAB_MESSAGE_START_TRANSFER:
    case CONFAB_MESSAGE_DECLINE:
    case CONFAB_MESSAGE_HANG_UP:
      return read_name (reader, "name", FIELD_OPTIONAL, &self->name, error) &&
             read_name (reader, "target", FIELD_REQUIRED, &self->target, error);

    case CONFAB_MESSAGE_CREATE_OFFER:
    case CONFAB_MESSAGE_CREATE_ANSWER:
      if (!read_name (reader, "name", FIELD_OPTIONAL, &self->name, error) ||
          !read_name (reader, "target", FIELD_REQUIRED, &self->target, error) ||
          !(data = read_object (reader, "data", error)))
        return FALSE;
      return read_string (reader, data, "data.", "sdp", FIELD_REQUIRED, &self->sdp, error) &&
             read_string (reader, data, "data.", "type", FIELD_OPTIONAL, &self->sdp_type, error);

    case CONFAB_MESSAGE_USER_STORED:
    case CONFAB_MESSAGE_USER_ALREADY_EXISTS:
      return read_string (reader, NULL, "", "data", FIELD_REQUIRED, &self->user, error);

    case CONFAB_MESSAGE_TRANSFER_RESPONSE:
      /* data: null is the answer "not online", so null is meaningful here */
      return read_string (reader, NULL, "", "data", FIELD_OPTIONAL, &self->user, error);

    case CONFAB_MESSAGE_OFFER_RECEIVED:
    case CONFAB_MESSAGE_ANSWER_RECEIVED:
      return read_name (reader, "name", FIELD_REQUIRED, &self->name, error) &&
             read_string (reader, NULL, "", "data", FIELD_REQUIRED, &self->sdp, error);

    case CONFAB_MESSAGE_OFFER_DECLINED:
    case CONFAB_MESSAGE_PEER_HUNG_UP:
      return read_name (reader, "name", FIELD_REQUIRED, &self->name, error);

    case CONFAB_MESSAGE_ICE_CANDIDATE:
      if (!read_name (reader, "name", FIELD_OPTIONAL, &self->name, error) ||
          !read_name (reader, "target", FIELD_OPTIONAL, &self->target, error))
        return FALSE;
      /* A request names its target, a delivery its sender. */
      if (self->name == NULL && self->target == NULL)
        {
          g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_MISSING_FIELD,
                               "The field “target” is missing");
          return FALSE;
        }
      if (!(data = read_object (reader, "data", error)))
        return FALSE;
      return read_string (reader, data, "data.", "sdpCandidate", FIELD_REQUIRED,
                          &self->candidate, error) &&
             read_string (reader, data, "data.", "sdpMid", FIELD_OPTIONAL, &self->sdp_mid, error) &&
             read_mline_index (reader, data, &self->sdp_mline_index, error);

    case CONFAB_MESSAGE_ERROR:
      return read_string (reader, NULL, "", "code", FIELD_REQUIRED, &self->error_code, error) &&
             read_string (reader, NULL, "", "message", FIELD_OPTIONAL, &self->error_message,
                          error) &&
             read_string (reader, NULL, "", "ref", FIELD_OPTIONAL, &self->error_ref, error) &&
             read_name (reader, "target", FIELD_OPTIONAL, &self->target, error);

    case CONFAB_MESSAGE_N_KINDS:
    default:
      g_assert_not_reached ();
    }
}

static void
set_reader_error (ConfabJsonReaderStatus   status,
                  gsize                    offset,
                  GError                 **error)
{
  switch (status)
    {
    case CONFAB_JSON_READER_TOO_DEEP:
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_TOO_DEEP,
                   "Arrays and objects nest deeper than %d levels", CONFAB_MESSAGE_MAX_DEPTH);
      break;

    case CONFAB_JSON_READER_TOO_MANY:
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID_FIELD,
                   "An object has more than %d fields", CONFAB_JSON_READER_MAX_MEMBERS);
      break;

    case CONFAB_JSON_READER_SURROGATE:
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID_UTF8,
                   "The \\u escape at byte %" G_GSIZE_FORMAT " is half of a surrogate pair",
                   offset);
      break;

    case CONFAB_JSON_READER_NUL:
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID_FIELD,
                           "Strings must not contain the NUL character (\\u0000)");
      break;

    case CONFAB_JSON_READER_SYNTAX:
    case CONFAB_JSON_READER_OK:
    default:
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_JSON,
                   "The frame is not valid JSON (at byte %" G_GSIZE_FORMAT ")", offset);
      break;
    }
}

/* How many bytes of the UTF-8 string @text to quote in a message so that
 * it is at most @max bytes and ends between two characters: a cut inside
 * a character would make the error itself invalid UTF-8. */
static int
utf8_prefix_length (const char *text,
                    gsize       max)
{
  gsize length = strnlen (text, max + 1);

  if (length <= max)
    return (int) length;

  /* text[max] exists; step back off continuation bytes to the start of
   * the character it belongs to, which is then left out whole. */
  length = max;
  while (length > 0 && ((guchar) text[length] & 0xC0) == 0x80)
    length--;

  return (int) length;
}

ConfabMessage *
confab_message_parse (const char  *frame,
                      gsize        length,
                      gsize        max_frame,
                      char       **type_hint,
                      GError     **error)
{
  g_autoptr(ConfabMessage) self = NULL;
  g_autofree ConfabJsonReader *reader = NULL;
  g_autofree char *type = NULL;
  ConfabJsonReaderStatus status;
  ConfabMessageKind kind;
  gsize offset = 0;

  g_return_val_if_fail (frame != NULL || length == 0, NULL);
  g_return_val_if_fail (type_hint == NULL || *type_hint == NULL, NULL);

  if (max_frame == 0)
    max_frame = CONFAB_MESSAGE_DEFAULT_MAX_FRAME;

  if (length > max_frame)
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FRAME_TOO_LARGE,
                   "The frame is %" G_GSIZE_FORMAT " bytes long; at most %" G_GSIZE_FORMAT
                   " are allowed", length, max_frame);
      return NULL;
    }

  if (length == 0)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_JSON,
                           "The frame is empty");
      return NULL;
    }

  /* Checked once for the whole frame, so that every string taken from it
   * is UTF-8 without another look. */
  if (memchr (frame, '\0', length) != NULL)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_JSON,
                           "The frame contains a NUL byte");
      return NULL;
    }

  if (!confab_utf8_validate (frame, length))
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID_UTF8,
                           "The frame is not valid UTF-8");
      return NULL;
    }

  /* Too big for the stack of a GLib worker thread; one malloc is cheap
   * next to the frame itself. */
  reader = g_new (ConfabJsonReader, 1);
  status = confab_json_reader_read (reader, frame, length, CONFAB_MESSAGE_MAX_DEPTH, &offset);
  if (status != CONFAB_JSON_READER_OK)
    {
      set_reader_error (status, offset, error);
      return NULL;
    }

  if (reader->root.kind != CONFAB_JSON_OBJECT)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_OBJECT,
                           "The frame must be a JSON object");
      return NULL;
    }

  if (!read_string (reader, NULL, "", "type", FIELD_REQUIRED, &type, error))
    return NULL;

  if (type_hint != NULL && strlen (type) <= CONFAB_MESSAGE_MAX_NAME_LENGTH)
    *type_hint = g_strdup (type);

  if (!confab_message_kind_from_string (type, &kind))
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_UNKNOWN_TYPE,
                   "The type “%.*s” is not a known message type",
                   utf8_prefix_length (type, CONFAB_MESSAGE_MAX_NAME_LENGTH), type);
      return NULL;
    }

  self = confab_message_alloc (kind);
  if (!parse_fields (self, reader, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* Serialising
 *
 * Written by hand rather than with JsonGenerator so that the bytes match
 * what the Node server's JSON.stringify() produces, key order included,
 * and so that the server's relay path does one allocation per message. */

/* What JSON.stringify() writes for each byte: 0 for the byte itself,
 * 'u' for a \u00XX escape, else the letter after the backslash. */
static const char escapes[256] = {
  ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
  ['"'] = '"', ['\\'] = '\\',
  [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u',
  [0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u',
  [0x11] = 'u', [0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u', [0x16] = 'u',
  [0x17] = 'u', [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u',
  [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u',
};

/* Escapes straight into the string's buffer, sized in a first pass: an SDP
 * has an escape every line, and appending piece by piece cost more than
 * the rest of a relay together. */
static void
append_json_string (GString    *out,
                    const char *string)
{
  static const char hex[] = "0123456789abcdef";
  gsize length = strlen (string);
  const guchar *p;
  const guchar *end = (const guchar *) string + length;
  gsize extra = 0;
  gsize start;
  char *o;

  for (p = (const guchar *) string; p < end; p++)
    {
      p += confab_json_plain_length ((const char *) p, end - p);
      if (p < end)
        extra += escapes[*p] == 'u' ? 5 : 1;
    }

  start = out->len;
  g_string_set_size (out, start + length + extra + 2);
  o = out->str + start;

  *o++ = '"';
  for (p = (const guchar *) string; p < end; p++)
    {
      gsize plain = confab_json_plain_length ((const char *) p, end - p);
      char e;

      memcpy (o, p, plain);
      o += plain;
      p += plain;
      if (p == end)
        break;

      e = escapes[*p];
      if (e != 'u')
        {
          *o++ = '\\';
          *o++ = e;
        }
      else
        {
          memcpy (o, "\\u00", 4);
          o[4] = hex[*p >> 4];
          o[5] = hex[*p & 0xf];
          o += 6;
        }
    }
  *o++ = '"';

  g_assert (o == out->str + out->len);
}

static void
append_member (GString    *out,
               const char *key,
               const char *value)
{
  if (value == NULL)
    return;

  g_string_append_printf (out, ",\"%s\":", key);
  append_json_string (out, value);
}

static gsize
estimate_size (const ConfabMessage *self)
{
  gsize size = 128;
  const char *fields[] = {
    self->name, self->target, self->user, self->sdp, self->sdp_type, self->candidate,
    self->sdp_mid, self->error_code, self->error_message, self->error_ref,
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i] != NULL)
      size += strlen (fields[i]) + 16;

  return size;
}

char *
confab_message_to_json (const ConfabMessage *self,
                        gsize               *length)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_sized_new (estimate_size (self));
  g_string_append (out, "{\"type\":\"");
  g_string_append (out, kinds[self->kind].wire_name);
  g_string_append_c (out, '"');

  switch (self->kind)
    {
    case CONFAB_MESSAGE_STORE_USER:
    case CONFAB_MESSAGE_START_TRANSFER:
    case CONFAB_MESSAGE_DECLINE:
    case CONFAB_MESSAGE_HANG_UP:
    case CONFAB_MESSAGE_OFFER_DECLINED:
    case CONFAB_MESSAGE_PEER_HUNG_UP:
      append_member (out, "name", self->name);
      append_member (out, "target", self->target);
      break;

    case CONFAB_MESSAGE_CREATE_OFFER:
    case CONFAB_MESSAGE_CREATE_ANSWER:
      append_member (out, "name", self->name);
      append_member (out, "target", self->target);
      g_string_append (out, ",\"data\":{\"sdp\":");
      append_json_string (out, self->sdp);
      append_member (out, "type", self->sdp_type);
      g_string_append_c (out, '}');
      break;

    case CONFAB_MESSAGE_USER_STORED:
    case CONFAB_MESSAGE_USER_ALREADY_EXISTS:
    case CONFAB_MESSAGE_TRANSFER_RESPONSE:
      /* The Node server sends "data":null for an offline user: keep it. */
      if (self->user != NULL)
        append_member (out, "data", self->user);
      else
        g_string_append (out, ",\"data\":null");
      break;

    case CONFAB_MESSAGE_OFFER_RECEIVED:
    case CONFAB_MESSAGE_ANSWER_RECEIVED:
      append_member (out, "name", self->name);
      append_member (out, "data", self->sdp);
      break;

    case CONFAB_MESSAGE_ICE_CANDIDATE:
      append_member (out, "name", self->name);
      append_member (out, "target", self->target);
      g_string_append (out, ",\"data\":{");
      if (self->sdp_mline_index >= 0)
        g_string_append_printf (out, "\"sdpMLineIndex\":%d,", self->sdp_mline_index);
      if (self->sdp_mid != NULL)
        {
          g_string_append (out, "\"sdpMid\":");
          append_json_string (out, self->sdp_mid);
          g_string_append_c (out, ',');
        }
      g_string_append (out, "\"sdpCandidate\":");
      append_json_string (out, self->candidate);
      g_string_append_c (out, '}');
      break;

    case CONFAB_MESSAGE_ERROR:
      append_member (out, "code", self->error_code);
      append_member (out, "message", self->error_message);
      append_member (out, "ref", self->error_ref);
      append_member (out, "target", self->target);
      break;

    case CONFAB_MESSAGE_N_KINDS:
    default:
      g_assert_not_reached ();
    }

  g_string_append_c (out, '}');

  if (length != NULL)
    *length = out->len;

  return g_string_free (out, FALSE);
}

/* Fields */

ConfabMessageKind
confab_message_get_kind (const ConfabMessage *self)
{
  g_return_val_if_fail (self != NULL, CONFAB_MESSAGE_ERROR);

  return self->kind;
}

#define DEFINE_GETTER(field)                                              \
  const char *                                                            \
  confab_message_get_##field (const ConfabMessage *self)                  \
  {                                                                       \
    g_return_val_if_fail (self != NULL, NULL);                            \
    return self->field;                                                   \
  }

DEFINE_GETTER (name)
DEFINE_GETTER (target)
DEFINE_GETTER (user)
DEFINE_GETTER (sdp)
DEFINE_GETTER (sdp_type)
DEFINE_GETTER (candidate)
DEFINE_GETTER (sdp_mid)
DEFINE_GETTER (error_code)
DEFINE_GETTER (error_message)
DEFINE_GETTER (error_ref)

#undef DEFINE_GETTER

int
confab_message_get_sdp_mline_index (const ConfabMessage *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->sdp_mline_index;
}

/* Building */

static ConfabMessage *
new_named (ConfabMessageKind  kind,
           const char        *name,
           const char        *target)
{
  ConfabMessage *self = confab_message_alloc (kind);

  self->name = g_strdup (name);
  self->target = g_strdup (target);

  return self;
}

static ConfabMessage *
new_user (ConfabMessageKind  kind,
          const char        *user)
{
  ConfabMessage *self = confab_message_alloc (kind);

  self->user = g_strdup (user);

  return self;
}

static ConfabMessage *
new_sdp (ConfabMessageKind  kind,
         const char        *name,
         const char        *target,
         const char        *sdp,
         const char        *sdp_type)
{
  ConfabMessage *self = new_named (kind, name, target);

  self->sdp = g_strdup (sdp);
  self->sdp_type = g_strdup (sdp_type);

  return self;
}

ConfabMessage *
confab_message_new_store_user (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return new_named (CONFAB_MESSAGE_STORE_USER, name, NULL);
}

ConfabMessage *
confab_message_new_user_stored (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return new_user (CONFAB_MESSAGE_USER_STORED, name);
}

ConfabMessage *
confab_message_new_user_already_exists (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return new_user (CONFAB_MESSAGE_USER_ALREADY_EXISTS, name);
}

ConfabMessage *
confab_message_new_start_transfer (const char *name,
                                   const char *target)
{
  g_return_val_if_fail (target != NULL, NULL);

  return new_named (CONFAB_MESSAGE_START_TRANSFER, name, target);
}

ConfabMessage *
confab_message_new_transfer_response (const char *online_user)
{
  return new_user (CONFAB_MESSAGE_TRANSFER_RESPONSE, online_user);
}

ConfabMessage *
confab_message_new_create_offer (const char *name,
                                 const char *target,
                                 const char *sdp)
{
  g_return_val_if_fail (target != NULL, NULL);
  g_return_val_if_fail (sdp != NULL, NULL);

  return new_sdp (CONFAB_MESSAGE_CREATE_OFFER, name, target, sdp, "OFFER");
}

ConfabMessage *
confab_message_new_offer_received (const char *name,
                                   const char *sdp)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (sdp != NULL, NULL);

  return new_sdp (CONFAB_MESSAGE_OFFER_RECEIVED, name, NULL, sdp, NULL);
}

ConfabMessage *
confab_message_new_create_answer (const char *name,
                                  const char *target,
                                  const char *sdp)
{
  g_return_val_if_fail (target != NULL, NULL);
  g_return_val_if_fail (sdp != NULL, NULL);

  return new_sdp (CONFAB_MESSAGE_CREATE_ANSWER, name, target, sdp, "ANSWER");
}

ConfabMessage *
confab_message_new_answer_received (const char *name,
                                    const char *sdp)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (sdp != NULL, NULL);

  return new_sdp (CONFAB_MESSAGE_ANSWER_RECEIVED, name, NULL, sdp, NULL);
}

ConfabMessage *
confab_message_new_ice_candidate (const char *name,
                                  const char *target,
                                  int         sdp_mline_index,
                                  const char *sdp_mid,
                                  const char *candidate)
{
  ConfabMessage *self;

  g_return_val_if_fail (name != NULL || target != NULL, NULL);
  g_return_val_if_fail (candidate != NULL, NULL);
  g_return_val_if_fail (sdp_mline_index >= -1 && sdp_mline_index <= G_MAXUINT16, NULL);

  self = new_named (CONFAB_MESSAGE_ICE_CANDIDATE, name, target);
  self->sdp_mline_index = sdp_mline_index;
  self->sdp_mid = g_strdup (sdp_mid);
  self->candidate = g_strdup (candidate);

  return self;
}

ConfabMessage *
confab_message_new_decline (const char *name,
                            const char *target)
{
  g_return_val_if_fail (target != NULL, NULL);

  return new_named (CONFAB_MESSAGE_DECLINE, name, target);
}

ConfabMessage *
confab_message_new_offer_declined (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return new_named (CONFAB_MESSAGE_OFFER_DECLINED, name, NULL);
}

ConfabMessage *
confab_message_new_hang_up (const char *name,
                            const char *target)
{
  g_return_val_if_fail (target != NULL, NULL);

  return new_named (CONFAB_MESSAGE_HANG_UP, name, target);
}

ConfabMessage *
confab_message_new_peer_hung_up (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return new_named (CONFAB_MESSAGE_PEER_HUNG_UP, name, NULL);
}

ConfabMessage *
confab_message_new_error (const char *code,
                          const char *message,
                          const char *ref)
{
  return confab_message_new_error_about (code, message, ref, NULL);
}

ConfabMessage *
confab_message_new_error_about (const char *code,
                                const char *message,
                                const char *ref,
                                const char *target)
{
  ConfabMessage *self;

  g_return_val_if_fail (code != NULL, NULL);

  self = confab_message_alloc (CONFAB_MESSAGE_ERROR);
  self->error_code = g_strdup (code);
  self->error_message = g_strdup (message);
  self->error_ref = g_strdup (ref);
  self->target = g_strdup (target);

  return self;
}

ConfabMessage *
confab_message_new_relayed (const ConfabMessage *request,
                            const char          *sender)
{
  ConfabMessage *self;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (sender != NULL, NULL);

  switch (request->kind)
    {
    case CONFAB_MESSAGE_CREATE_OFFER:
      return new_sdp (CONFAB_MESSAGE_OFFER_RECEIVED, sender, NULL, request->sdp, NULL);

    case CONFAB_MESSAGE_CREATE_ANSWER:
      return new_sdp (CONFAB_MESSAGE_ANSWER_RECEIVED, sender, NULL, request->sdp, NULL);

    case CONFAB_MESSAGE_ICE_CANDIDATE:
      self = new_named (CONFAB_MESSAGE_ICE_CANDIDATE, sender, NULL);
      self->sdp_mline_index = request->sdp_mline_index;
      self->sdp_mid = g_strdup (request->sdp_mid);
      self->candidate = g_strdup (request->candidate);
      return self;

    case CONFAB_MESSAGE_DECLINE:
      return new_named (CONFAB_MESSAGE_OFFER_DECLINED, sender, NULL);

    case CONFAB_MESSAGE_HANG_UP:
      return new_named (CONFAB_MESSAGE_PEER_HUNG_UP, sender, NULL);

    case CONFAB_MESSAGE_STORE_USER:
    case CONFAB_MESSAGE_START_TRANSFER:
    case CONFAB_MESSAGE_USER_STORED:
    case CONFAB_MESSAGE_USER_ALREADY_EXISTS:
    case CONFAB_MESSAGE_TRANSFER_RESPONSE:
    case CONFAB_MESSAGE_OFFER_RECEIVED:
    case CONFAB_MESSAGE_ANSWER_RECEIVED:
    case CONFAB_MESSAGE_OFFER_DECLINED:
    case CONFAB_MESSAGE_PEER_HUNG_UP:
    case CONFAB_MESSAGE_ERROR:
    case CONFAB_MESSAGE_N_KINDS:
    default:
      return NULL;
    }
}
