/* confab-ice-server.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-ice-server.h"

G_DEFINE_QUARK (confab-ice-server-error-quark, confab_ice_server_error)

#define STUN_DEFAULT_PORT 3478
#define TURNS_DEFAULT_PORT 5349

static gboolean
is_host_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '-' || c == '_';
}

static gboolean
parse_host (const char  *url,
            const char  *start,
            const char  *end,
            char       **host,
            const char **port_start,
            GError     **error)
{
  const char *p;

  if (start < end && *start == '[')
    {
      const char *close = memchr (start, ']', end - start);
      g_autofree char *inner = NULL;

      if (close == NULL)
        goto invalid;

      inner = g_strndup (start + 1, close - start - 1);
      if (!g_hostname_is_ip_address (inner) || strchr (inner, ':') == NULL)
        goto invalid;

      *host = g_strndup (start, close + 1 - start);
      p = close + 1;
    }
  else
    {
      for (p = start; p < end && *p != ':'; p++)
        {
          if (!is_host_char (*p))
            goto invalid;
        }

      if (p == start)
        goto invalid;

      *host = g_strndup (start, p - start);
    }

  if (p < end && *p != ':')
    {
      g_clear_pointer (host, g_free);
      goto invalid;
    }

  *port_start = p < end ? p + 1 : NULL;
  return TRUE;

invalid:
  g_set_error (error, CONFAB_ICE_SERVER_ERROR, CONFAB_ICE_SERVER_ERROR_INVALID_HOST,
               _("“%s” does not name a valid host"), url);
  return FALSE;
}

static gboolean
parse_port (const char *url,
            const char *start,
            const char *end,
            guint      *port,
            GError    **error)
{
  guint64 value = 0;

  if (start == end || end - start > 5)
    goto invalid;

  for (const char *p = start; p < end; p++)
    {
      if (!g_ascii_isdigit (*p))
        goto invalid;
      value = value * 10 + (*p - '0');
    }

  if (value == 0 || value > G_MAXUINT16)
    goto invalid;

  *port = value;
  return TRUE;

invalid:
  g_set_error (error, CONFAB_ICE_SERVER_ERROR, CONFAB_ICE_SERVER_ERROR_INVALID_PORT,
               _("“%s” does not have a valid port"), url);
  return FALSE;
}

/* USER:PASS, each possibly percent-encoded; returns them re-encoded so that
 * webrtcbin's split at the first colon, and its unescaping, give them back. */
static char *
parse_credentials (const char *url,
                   const char *start,
                   const char *end,
                   GError    **error)
{
  const char *colon = memchr (start, ':', end - start);
  g_autofree char *user = NULL;
  g_autofree char *pass = NULL;
  g_autofree char *user_escaped = NULL;
  g_autofree char *pass_escaped = NULL;

  if (colon == NULL || colon == start || colon + 1 == end)
    goto invalid;

  user = g_uri_unescape_segment (start, colon, NULL);
  pass = g_uri_unescape_segment (colon + 1, end, NULL);
  if (user == NULL || pass == NULL || !g_utf8_validate (user, -1, NULL) ||
      !g_utf8_validate (pass, -1, NULL))
    goto invalid;

  user_escaped = g_uri_escape_string (user, NULL, FALSE);
  pass_escaped = g_uri_escape_string (pass, NULL, FALSE);

  return g_strdup_printf ("%s:%s@", user_escaped, pass_escaped);

invalid:
  g_set_error (error, CONFAB_ICE_SERVER_ERROR, CONFAB_ICE_SERVER_ERROR_INVALID_CREDENTIALS,
               _("“%s” needs a user name and a password, as in turn:user:password@host"),
               url);
  return NULL;
}

char *
confab_ice_server_to_webrtcbin (const char          *url,
                                ConfabIceServerKind *kind,
                                GError             **error)
{
  static const struct {
    const char *scheme;
    ConfabIceServerKind kind;
    guint default_port;
  } schemes[] = {
    { "stun", CONFAB_ICE_SERVER_STUN, STUN_DEFAULT_PORT },
    { "turn", CONFAB_ICE_SERVER_TURN, STUN_DEFAULT_PORT },
    { "turns", CONFAB_ICE_SERVER_TURNS, TURNS_DEFAULT_PORT },
  };
  g_autofree char *credentials = NULL;
  g_autofree char *host = NULL;
  const char *colon;
  const char *rest;
  const char *end;
  const char *query;
  const char *at;
  const char *port_start = NULL;
  const char *transport = NULL;
  guint port;
  guint i;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  colon = strchr (url, ':');
  for (i = 0; colon != NULL && i < G_N_ELEMENTS (schemes); i++)
    {
      if (strlen (schemes[i].scheme) == (gsize) (colon - url) &&
          g_ascii_strncasecmp (url, schemes[i].scheme, colon - url) == 0)
        break;
    }

  if (colon == NULL || i == G_N_ELEMENTS (schemes))
    {
      g_set_error (error, CONFAB_ICE_SERVER_ERROR, CONFAB_ICE_SERVER_ERROR_INVALID_SCHEME,
                   _("“%s” is not a stun:, turn: or turns: URL"), url);
      return NULL;
    }

  rest = colon + 1;
  if (g_str_has_prefix (rest, "//"))
    rest += 2;

  end = rest + strlen (rest);
  query = strchr (rest, '?');
  if (query != NULL)
    {
      if (schemes[i].kind == CONFAB_ICE_SERVER_STUN)
        goto invalid_transport;

      if (g_ascii_strcasecmp (query + 1, "transport=udp") == 0 &&
          schemes[i].kind == CONFAB_ICE_SERVER_TURN)
        transport = "udp";
      else if (g_ascii_strcasecmp (query + 1, "transport=tcp") == 0)
        transport = "tcp";
      else
        goto invalid_transport;

      end = query;
    }

  /* The last @ ends the credentials: a password may hold an unescaped @
   * but a host never does. */
  at = g_strrstr_len (rest, end - rest, "@");
  if (schemes[i].kind == CONFAB_ICE_SERVER_STUN)
    {
      if (at != NULL)
        {
          g_set_error (error, CONFAB_ICE_SERVER_ERROR,
                       CONFAB_ICE_SERVER_ERROR_INVALID_CREDENTIALS,
                       _("“%s”: a STUN server takes no user name or password"), url);
          return NULL;
        }
    }
  else
    {
      if (at == NULL)
        {
          g_set_error (error, CONFAB_ICE_SERVER_ERROR,
                       CONFAB_ICE_SERVER_ERROR_INVALID_CREDENTIALS,
                       _("“%s” needs a user name and a password, as in turn:user:password@host"),
                       url);
          return NULL;
        }

      credentials = parse_credentials (url, rest, at, error);
      if (credentials == NULL)
        return NULL;

      rest = at + 1;
    }

  if (!parse_host (url, rest, end, &host, &port_start, error))
    return NULL;

  if (port_start == NULL)
    port = schemes[i].default_port;
  else if (!parse_port (url, port_start, end, &port, error))
    return NULL;

  if (kind != NULL)
    *kind = schemes[i].kind;

  return g_strdup_printf ("%s://%s%s:%u%s%s",
                          schemes[i].scheme,
                          credentials != NULL ? credentials : "",
                          host,
                          port,
                          transport != NULL ? "?transport=" : "",
                          transport != NULL ? transport : "");

invalid_transport:
  g_set_error (error, CONFAB_ICE_SERVER_ERROR, CONFAB_ICE_SERVER_ERROR_INVALID_TRANSPORT,
               _("“%s”: only ?transport=udp or ?transport=tcp may follow a TURN server "
                 "(and only tcp for turns:)"),
               url);
  return NULL;
}
