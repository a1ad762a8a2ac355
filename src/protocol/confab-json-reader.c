/* confab-json-reader.c: a strict, allocation-free JSON reader for frames
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "confab-json-reader.h"

#define ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Non-zero if a byte of @word is zero (the classic SWAR test). */
static inline guint64
has_zero_byte (guint64 word)
{
  return (word - ONES) & ~word & HIGHS;
}

gsize
confab_json_plain_length (const char *p,
                          gsize       length)
{
  gsize i = 0;

#ifdef __SSE2__
  /* Sixteen bytes a step, and the mask says where the first special one
   * is: an SDP has an escape every forty bytes or so, and this runs over
   * each one three times a relay (reading it, sizing and writing the
   * relayed copy), the largest cost in the server's own code. */
  {
    const __m128i quote = _mm_set1_epi8 ('"');
    const __m128i backslash = _mm_set1_epi8 ('\\');
    const __m128i below_space = _mm_set1_epi8 (0x1f);

    for (; i + 16 <= length; i += 16)
      {
        __m128i v = _mm_loadu_si128 ((const __m128i *) (const void *) (p + i));
        /* unsigned v <= 0x1f: the minimum of the two is v */
        __m128i special = _mm_or_si128 (_mm_cmpeq_epi8 (_mm_min_epu8 (v, below_space), v),
                                        _mm_or_si128 (_mm_cmpeq_epi8 (v, quote),
                                                      _mm_cmpeq_epi8 (v, backslash)));
        int mask = _mm_movemask_epi8 (special);

        if (mask != 0)
          return i + __builtin_ctz (mask);
      }
  }
#endif

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, p + i, 8);
      /* bytes below 0x20, '"' or '\\' (bytes from 0x80 never match) */
      if (((word - ONES * 0x20) & ~word & HIGHS) ||
          has_zero_byte (word ^ (ONES * '"')) ||
          has_zero_byte (word ^ (ONES * '\\')))
        break;
    }

  for (; i < length; i++)
    {
      guchar c = p[i];

      if (c < 0x20 || c == '"' || c == '\\')
        break;
    }

  return i;
}

typedef struct
{
  ConfabJsonReader       *reader;
  const char             *p;
  const char             *end;
  guint                   max_depth;
  ConfabJsonReaderStatus  status;
} Cursor;

static gboolean
fail (Cursor                 *cursor,
      ConfabJsonReaderStatus  status)
{
  if (cursor->status == CONFAB_JSON_READER_OK)
    cursor->status = status;
  return FALSE;
}

static inline void
skip_space (Cursor *cursor)
{
  while (cursor->p < cursor->end &&
         (*cursor->p == ' ' || *cursor->p == '\t' || *cursor->p == '\n' || *cursor->p == '\r'))
    cursor->p++;
}

static inline int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (const char *p,
           const char *end,
           gunichar   *out)
{
  gunichar value = 0;

  if (end - p < 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return FALSE;
      value = (value << 4) | digit;
    }

  *out = value;

  return TRUE;
}

/* Reads the string at the cursor (on its opening quote) and records the
 * span between the quotes.  Escapes are checked here, so that unescaping
 * later cannot fail. */
static gboolean
read_string (Cursor      *cursor,
             const char **start,
             guint       *length,
             gboolean    *escaped)
{
  const char *p = cursor->p + 1;

  *escaped = FALSE;
  *start = p;

  while (p < cursor->end)
    {
      guchar c;

      p += confab_json_plain_length (p, cursor->end - p);
      if (p >= cursor->end)
        break;

      c = *p;
      if (c == '"')
        {
          *length = p - *start;
          cursor->p = p + 1;
          return TRUE;
        }

      if (c < 0x20)
        return fail (cursor, CONFAB_JSON_READER_SYNTAX);

      if (c != '\\')
        {
          p++;
          continue;
        }

      *escaped = TRUE;
      if (++p >= cursor->end)
        break;

      switch (*p)
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          p++;
          break;

        case 'u':
          {
            gunichar unit;

            if (!read_hex4 (p + 1, cursor->end, &unit))
              return fail (cursor, CONFAB_JSON_READER_SYNTAX);
            p += 5;

            if (unit == 0)
              return fail (cursor, CONFAB_JSON_READER_NUL);

            if (unit >= 0xDC00 && unit <= 0xDFFF)
              return fail (cursor, CONFAB_JSON_READER_SURROGATE);

            if (unit >= 0xD800 && unit <= 0xDBFF)
              {
                gunichar low;

                if (cursor->end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
                    !read_hex4 (p + 2, cursor->end, &low) || low < 0xDC00 || low > 0xDFFF)
                  return fail (cursor, CONFAB_JSON_READER_SURROGATE);
                p += 6;
              }
          }
          break;

        default:
          return fail (cursor, CONFAB_JSON_READER_SYNTAX);
        }
    }

  return fail (cursor, CONFAB_JSON_READER_SYNTAX);
}

static gboolean
read_number (Cursor *cursor)
{
  const char *p = cursor->p;
  const char *end = cursor->end;

  if (p < end && *p == '-')
    p++;

  if (p < end && *p == '0')
    p++;
  else if (p < end && *p >= '1' && *p <= '9')
    while (p < end && g_ascii_isdigit (*p))
      p++;
  else
    return fail (cursor, CONFAB_JSON_READER_SYNTAX);

  if (p < end && *p == '.')
    {
      p++;
      if (p >= end || !g_ascii_isdigit (*p))
        return fail (cursor, CONFAB_JSON_READER_SYNTAX);
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p >= end || !g_ascii_isdigit (*p))
        return fail (cursor, CONFAB_JSON_READER_SYNTAX);
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }

  cursor->p = p;

  return TRUE;
}

static gboolean
read_literal (Cursor     *cursor,
              const char *literal,
              gsize       length)
{
  if ((gsize) (cursor->end - cursor->p) < length || memcmp (cursor->p, literal, length) != 0)
    return fail (cursor, CONFAB_JSON_READER_SYNTAX);

  cursor->p += length;

  return TRUE;
}

static gboolean read_value (Cursor           *cursor,
                            guint             depth,
                            ConfabJsonMember *value,
                            gboolean          record_members);

/* @record: the object whose members to note in the table, or NULL to only
 * check them. */
static gboolean
read_object (Cursor           *cursor,
             guint             depth,
             ConfabJsonMember *record)
{
  ConfabJsonReader *reader = cursor->reader;
  guint *link = record != NULL ? &record->first_member : NULL;
  guint count = 0;

  cursor->p++;   /* '{' */
  skip_space (cursor);

  if (cursor->p < cursor->end && *cursor->p == '}')
    {
      cursor->p++;
      return TRUE;
    }

  for (;;)
    {
      ConfabJsonMember scratch;
      ConfabJsonMember *member = &scratch;

      if (record != NULL)
        {
          if (count == CONFAB_JSON_READER_MAX_MEMBERS ||
              reader->n_members == G_N_ELEMENTS (reader->members))
            return fail (cursor, CONFAB_JSON_READER_TOO_MANY);
          *link = reader->n_members + 1;
          member = &reader->members[reader->n_members++];
        }
      memset (member, 0, sizeof *member);
      if (record != NULL)
        link = &member->next;
      count++;

      if (cursor->p >= cursor->end || *cursor->p != '"' ||
          !read_string (cursor, &member->key, &member->key_length, &member->key_escaped))
        return fail (cursor, CONFAB_JSON_READER_SYNTAX);

      skip_space (cursor);
      if (cursor->p >= cursor->end || *cursor->p != ':')
        return fail (cursor, CONFAB_JSON_READER_SYNTAX);
      cursor->p++;
      skip_space (cursor);

      /* Only the members of the root's members are recorded too: that
       * reaches "data" and nothing deeper. */
      if (!read_value (cursor, depth, member, record != NULL && depth == 1))
        return FALSE;

      skip_space (cursor);
      if (cursor->p < cursor->end && *cursor->p == ',')
        {
          cursor->p++;
          skip_space (cursor);
          continue;
        }
      if (cursor->p < cursor->end && *cursor->p == '}')
        {
          cursor->p++;
          return TRUE;
        }
      return fail (cursor, CONFAB_JSON_READER_SYNTAX);
    }
}

static gboolean
read_array (Cursor *cursor,
            guint   depth)
{
  cursor->p++;   /* '[' */
  skip_space (cursor);

  if (cursor->p < cursor->end && *cursor->p == ']')
    {
      cursor->p++;
      return TRUE;
    }

  for (;;)
    {
      ConfabJsonMember scratch;

      if (!read_value (cursor, depth, &scratch, FALSE))
        return FALSE;

      skip_space (cursor);
      if (cursor->p < cursor->end && *cursor->p == ',')
        {
          cursor->p++;
          skip_space (cursor);
          continue;
        }
      if (cursor->p < cursor->end && *cursor->p == ']')
        {
          cursor->p++;
          return TRUE;
        }
      return fail (cursor, CONFAB_JSON_READER_SYNTAX);
    }
}

/* Recursion is bounded by max_depth, so a frame of a million '[' fails
 * after max_depth calls instead of exhausting the stack. */
static gboolean
read_value (Cursor           *cursor,
            guint             depth,
            ConfabJsonMember *value,
            gboolean          record_members)
{
  const char *start = cursor->p;

  if (cursor->p >= cursor->end)
    return fail (cursor, CONFAB_JSON_READER_SYNTAX);

  switch (*cursor->p)
    {
    case '{':
    case '[':
      if (depth + 1 > cursor->max_depth)
        return fail (cursor, CONFAB_JSON_READER_TOO_DEEP);
      if (*cursor->p == '{')
        {
          value->kind = CONFAB_JSON_OBJECT;
          return read_object (cursor, depth + 1, record_members ? value : NULL);
        }
      value->kind = CONFAB_JSON_ARRAY;
      return read_array (cursor, depth + 1);

    case '"':
      value->kind = CONFAB_JSON_STRING;
      return read_string (cursor, &value->value, &value->value_length, &value->value_escaped);

    case 't':
      value->kind = CONFAB_JSON_TRUE;
      return read_literal (cursor, "true", 4);

    case 'f':
      value->kind = CONFAB_JSON_FALSE;
      return read_literal (cursor, "false", 5);

    case 'n':
      value->kind = CONFAB_JSON_NULL;
      return read_literal (cursor, "null", 4);

    default:
      value->kind = CONFAB_JSON_NUMBER;
      if (!read_number (cursor))
        return FALSE;
      value->value = start;
      value->value_length = cursor->p - start;
      return TRUE;
    }
}

ConfabJsonReaderStatus
confab_json_reader_read (ConfabJsonReader *reader,
                         const char       *frame,
                         gsize             length,
                         guint             max_depth,
                         gsize            *error_offset)
{
  Cursor cursor = { reader, frame, frame + length, max_depth, CONFAB_JSON_READER_OK };

  g_return_val_if_fail (reader != NULL, CONFAB_JSON_READER_SYNTAX);
  g_return_val_if_fail (frame != NULL || length == 0, CONFAB_JSON_READER_SYNTAX);

  memset (&reader->root, 0, sizeof reader->root);
  reader->n_members = 0;

  skip_space (&cursor);

  if (read_value (&cursor, 0, &reader->root, TRUE))
    {
      skip_space (&cursor);
      if (cursor.p != cursor.end)
        fail (&cursor, CONFAB_JSON_READER_SYNTAX);
    }

  if (cursor.status != CONFAB_JSON_READER_OK)
    {
      if (error_offset != NULL)
        *error_offset = cursor.p - frame;
      return cursor.status;
    }

  return CONFAB_JSON_READER_OK;
}

/* Writes the unescaped form of a string span to @out (which has room for
 * @length bytes: unescaping never grows a string) and returns its length. */
static gsize
unescape (const char *in,
          gsize       length,
          char       *out)
{
  const char *end = in + length;
  char *o = out;

  while (in < end)
    {
      const char *backslash = memchr (in, '\\', end - in);
      gunichar c;

      /* Copy the plain run before the next escape in one go. */
      if (backslash == NULL)
        backslash = end;
      memcpy (o, in, backslash - in);
      o += backslash - in;
      in = backslash;
      if (in == end)
        break;

      in++;
      switch (*in++)
        {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u':
          read_hex4 (in, end, &c);
          in += 4;
          if (c >= 0xD800 && c <= 0xDBFF)
            {
              gunichar low = 0;

              read_hex4 (in + 2, end, &low);
              in += 6;
              c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
            }
          o += g_unichar_to_utf8 (c, o);
          break;
        default:   /* '"', '\\' and '/' stand for themselves */
          *o++ = in[-1];
          break;
        }
    }

  return o - out;
}

static gboolean
key_equals (const ConfabJsonMember *member,
            const char             *key,
            gsize                   key_length)
{
  char buffer[64];

  if (!member->key_escaped)
    return member->key_length == key_length && memcmp (member->key, key, key_length) == 0;

  /* An escaped key ("ty\u0070e") means the same as its plain form. */
  if (member->key_length > sizeof buffer)
    return FALSE;

  return unescape (member->key, member->key_length, buffer) == key_length &&
         memcmp (buffer, key, key_length) == 0;
}

const ConfabJsonMember *
confab_json_reader_find (const ConfabJsonReader *reader,
                         const ConfabJsonMember *object,
                         const char             *key)
{
  const ConfabJsonMember *found = NULL;
  gsize key_length = strlen (key);

  g_return_val_if_fail (reader != NULL, NULL);

  if (object == NULL)
    object = &reader->root;

  if (object->kind != CONFAB_JSON_OBJECT)
    return NULL;

  for (guint i = object->first_member; i != 0; i = reader->members[i - 1].next)
    {
      const ConfabJsonMember *member = &reader->members[i - 1];

      if (key_equals (member, key, key_length))
        found = member;
    }

  return found;
}

char *
confab_json_member_dup_string (const ConfabJsonMember *member)
{
  char *copy;

  g_return_val_if_fail (member != NULL, NULL);
  g_return_val_if_fail (member->kind == CONFAB_JSON_STRING, NULL);

  if (!member->value_escaped)
    return g_strndup (member->value, member->value_length);

  copy = g_malloc (member->value_length + 1);
  copy[unescape (member->value, member->value_length, copy)] = '\0';

  return copy;
}

gboolean
confab_json_member_get_number (const ConfabJsonMember *member,
                               double                 *value)
{
  char buffer[64];

  g_return_val_if_fail (member != NULL, FALSE);
  g_return_val_if_fail (member->kind == CONFAB_JSON_NUMBER, FALSE);

  if (member->value_length >= sizeof buffer)
    return FALSE;

  memcpy (buffer, member->value, member->value_length);
  buffer[member->value_length] = '\0';
  *value = g_ascii_strtod (buffer, NULL);

  return TRUE;
}
