/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-ui.c: the Client ID's sources and the advice that goes with a problem */

#define G_LOG_DOMAIN "tessera-imgur-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-imgur-ui.h"

const char *
tessera_imgur_client_id_from_env (void)
{
  const char *value = g_getenv (TESSERA_IMGUR_CLIENT_ID_ENV);

  return value != NULL && *value != '\0' ? value : NULL;
}

char *
tessera_imgur_client_id (GSettings *settings)
{
  const char *from_env = tessera_imgur_client_id_from_env ();

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  if (from_env != NULL)
    return g_strstrip (g_strdup (from_env));
  if (settings == NULL)
    return NULL;
  return g_strstrip (g_settings_get_string (settings, TESSERA_IMGUR_CLIENT_ID_KEY));
}

TesseraImgurShow
tessera_imgur_show (GSettings *settings)
{
  TesseraImgurShow show = TESSERA_IMGUR_SHOW_DEFAULT;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), show);

  if (settings == NULL)
    return show;
  if (g_settings_get_boolean (settings, TESSERA_IMGUR_SHOW_NSFW_KEY))
    show |= TESSERA_IMGUR_SHOW_NSFW;
  if (g_settings_get_boolean (settings, TESSERA_IMGUR_SHOW_PROMOTED_KEY))
    show |= TESSERA_IMGUR_SHOW_PROMOTED;
  return show;
}

/* What a person can do about @problem; NULL when nothing but waiting or retrying. */
static char *
advice (TesseraImgurProblem problem)
{
  switch (problem)
    {
    case TESSERA_IMGUR_PROBLEM_NO_CLIENT_ID:
      return g_strdup_printf (_ ("Set %s in the environment, or enter one in Preferences."),
                              TESSERA_IMGUR_CLIENT_ID_ENV);
    case TESSERA_IMGUR_PROBLEM_REFUSED:
      return g_strdup (_ ("Check it in Preferences, or register an application at "
                          "api.imgur.com to get one."));
    case TESSERA_IMGUR_PROBLEM_NONE:
    case TESSERA_IMGUR_PROBLEM_REJECTED:
    case TESSERA_IMGUR_PROBLEM_RATE_LIMITED:
    case TESSERA_IMGUR_PROBLEM_UNAVAILABLE:
    default:
      return NULL;
    }
}

char *
tessera_imgur_describe (TesseraImgurProblem problem, const char *message)
{
  g_autofree char *what_to_do = advice (problem);

  g_return_val_if_fail (message != NULL, NULL);

  if (what_to_do == NULL)
    return g_strdup (message);
  return g_strconcat (message, " ", what_to_do, NULL);
}

char *
tessera_imgur_describe_problem (TesseraImgurSource *source)
{
  const char *message;

  g_return_val_if_fail (TESSERA_IS_IMGUR_SOURCE (source), NULL);

  message = tessera_imgur_source_get_message (source);
  if (tessera_imgur_source_get_state (source) != TESSERA_IMGUR_FAILED || message == NULL)
    return NULL;
  return tessera_imgur_describe (tessera_imgur_source_get_problem (source), message);
}
