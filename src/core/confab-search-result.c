/* confab-search-result.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-search-result.h"

#define MATCH_START '\002'
#define MATCH_END   '\003'

struct _ConfabSearchResult
{
  GObject            parent_instance;

  char              *peer_name;
  ConfabChatMessage *message;
  char              *snippet;
  GArray            *matches;   /* ConfabSearchMatch */
};

enum
{
  PROP_0,
  PROP_PEER_NAME,
  PROP_MESSAGE,
  PROP_SNIPPET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ConfabSearchResult, confab_search_result, G_TYPE_OBJECT)

static void
confab_search_result_dispose (GObject *object)
{
  ConfabSearchResult *self = (ConfabSearchResult *)object;

  g_clear_object (&self->message);

  G_OBJECT_CLASS (confab_search_result_parent_class)->dispose (object);
}

static void
confab_search_result_finalize (GObject *object)
{
  ConfabSearchResult *self = (ConfabSearchResult *)object;

  g_clear_pointer (&self->peer_name, g_free);
  g_clear_pointer (&self->snippet, g_free);
  g_clear_pointer (&self->matches, g_array_unref);

  G_OBJECT_CLASS (confab_search_result_parent_class)->finalize (object);
}

static void
confab_search_result_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabSearchResult *self = CONFAB_SEARCH_RESULT (object);

  switch (prop_id)
    {
    case PROP_PEER_NAME:
      g_value_set_string (value, self->peer_name);
      break;

    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;

    case PROP_SNIPPET:
      g_value_set_string (value, self->snippet);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_search_result_class_init (ConfabSearchResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_search_result_dispose;
  object_class->finalize = confab_search_result_finalize;
  object_class->get_property = confab_search_result_get_property;

  properties[PROP_PEER_NAME] =
    g_param_spec_string ("peer-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL,
                         CONFAB_TYPE_CHAT_MESSAGE,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_SNIPPET] =
    g_param_spec_string ("snippet", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_search_result_init (ConfabSearchResult *self)
{
  self->matches = g_array_new (FALSE, FALSE, sizeof (ConfabSearchMatch));
}

/* Takes the markers out of @marked, keeping where they were.  A marker
 * character the person typed themselves only moves a highlight of their
 * own message. */
static void
parse_snippet (ConfabSearchResult *self,
               const char         *marked)
{
  GString *snippet = g_string_new (NULL);
  ConfabSearchMatch match = { 0, 0 };
  gboolean in_match = FALSE;

  for (const char *c = marked; *c != '\0'; c++)
    {
      if (*c == MATCH_START && !in_match)
        {
          match.offset = snippet->len;
          in_match = TRUE;
        }
      else if (*c == MATCH_END && in_match)
        {
          match.length = snippet->len - match.offset;
          g_array_append_val (self->matches, match);
          in_match = FALSE;
        }
      else
        g_string_append_c (snippet, *c);
    }

  self->snippet = g_string_free (snippet, FALSE);
}

ConfabSearchResult *
confab_search_result_new (const char        *peer_name,
                          ConfabChatMessage *message,
                          const char        *marked_snippet)
{
  ConfabSearchResult *self;

  g_return_val_if_fail (peer_name != NULL, NULL);
  g_return_val_if_fail (CONFAB_IS_CHAT_MESSAGE (message), NULL);
  g_return_val_if_fail (marked_snippet != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_SEARCH_RESULT, NULL);
  self->peer_name = g_strdup (peer_name);
  self->message = g_object_ref (message);
  parse_snippet (self, marked_snippet);

  return self;
}

const char *
confab_search_result_get_peer_name (ConfabSearchResult *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_RESULT (self), NULL);

  return self->peer_name;
}

ConfabChatMessage *
confab_search_result_get_message (ConfabSearchResult *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_RESULT (self), NULL);

  return self->message;
}

const char *
confab_search_result_get_snippet (ConfabSearchResult *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_RESULT (self), NULL);

  return self->snippet;
}

const ConfabSearchMatch *
confab_search_result_get_matches (ConfabSearchResult *self,
                                  guint              *n_matches)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_RESULT (self), NULL);
  g_return_val_if_fail (n_matches != NULL, NULL);

  *n_matches = self->matches->len;

  return (const ConfabSearchMatch *) (gpointer) self->matches->data;
}
