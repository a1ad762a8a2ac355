/* confab-state-text.c: a conversation's state in words
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-state-text.h"

const char *
confab_state_text_summary (ConfabConversationState  state,
                           ConfabConversationFailure reason)
{
  switch (state)
    {
    case CONFAB_CONVERSATION_NEW:
    case CONFAB_CONVERSATION_CALLING:
      return _("Calling…");

    case CONFAB_CONVERSATION_INCOMING:
      return _("Wants to chat");

    case CONFAB_CONVERSATION_CONNECTING:
      return _("Connecting…");

    case CONFAB_CONVERSATION_OPEN:
      return _("Connected");

    case CONFAB_CONVERSATION_CLOSED:
      if (reason == CONFAB_CONVERSATION_FAILURE_DECLINED)
        return _("Declined");
      if (reason == CONFAB_CONVERSATION_FAILURE_HUNG_UP)
        return _("Left the chat");
      return _("Ended");

    case CONFAB_CONVERSATION_FAILED:
      switch (reason)
        {
        case CONFAB_CONVERSATION_FAILURE_PEER_OFFLINE:
          return _("Offline");
        case CONFAB_CONVERSATION_FAILURE_NO_ANSWER:
          return _("No answer");
        case CONFAB_CONVERSATION_FAILURE_VANISHED:
          return _("Connection lost");
        case CONFAB_CONVERSATION_FAILURE_DECLINED:
          return _("Declined");
        case CONFAB_CONVERSATION_FAILURE_TAMPERED:
          return _("Tampered with");
        case CONFAB_CONVERSATION_FAILURE_NETWORK:
        case CONFAB_CONVERSATION_FAILURE_ICE_SERVERS:
        case CONFAB_CONVERSATION_FAILURE_HUNG_UP:
        case CONFAB_CONVERSATION_FAILURE_NONE:
        default:
          return _("Could not connect");
        }

    default:
      return "";
    }
}
