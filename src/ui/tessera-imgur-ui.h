/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-ui.h: Imgur for the window and the command line: where the Client ID and the
 * choice of mature and promoted posts come from, and a source's problem told to a person */
#pragma once

#include <gio/gio.h>

#include "tessera-imgur-source.h"

G_BEGIN_DECLS

/* The environment variable that holds a Client ID, ahead of the setting. */
#define TESSERA_IMGUR_CLIENT_ID_ENV "IMGUR_CLIENT_ID"
/* The settings' keys (see the schema). */
#define TESSERA_IMGUR_CLIENT_ID_KEY "imgur-client-id"
#define TESSERA_IMGUR_SHOW_NSFW_KEY "imgur-show-nsfw"

#define TESSERA_IMGUR_SHOW_PROMOTED_KEY "imgur-show-promoted"

/* TESSERA_IMGUR_CLIENT_ID_ENV's value (transfer none), or NULL when it is unset or empty. */
const char *tessera_imgur_client_id_from_env (void);
/* Returns (transfer full) the Client ID to use: TESSERA_IMGUR_CLIENT_ID_ENV, else the one in
 * @settings (may be NULL), without surrounding spaces; NULL or empty when there is none.
 * Main thread, as for every use of @settings here. */
char *tessera_imgur_client_id (GSettings *settings);
/* Which posts hidden by default are shown: mature ones and promoted ones, each as its
 * setting says; TESSERA_IMGUR_SHOW_DEFAULT without @settings. */
TesseraImgurShow tessera_imgur_show (GSettings *settings);
/* Returns (transfer full) @message, the engine's facts about @problem, followed by what a
 * person can do about it. Any thread. */
char *tessera_imgur_describe (TesseraImgurProblem problem, const char *message);
/* Returns (transfer full) what went wrong with @source, with what to do about it (where to
 * set the Client ID), for the problem bar, the terminal and --stats; NULL unless it failed.
 * Never holds the Client ID. Main thread. */
char *tessera_imgur_describe_problem (TesseraImgurSource *source);

G_END_DECLS
