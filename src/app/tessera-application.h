/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-application.h: command line, options, accelerators, and the objects that outlive a window */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Exit codes for scripts: every tile loaded; some failed; the command line was wrong. */
#define TESSERA_EXIT_OK          0
#define TESSERA_EXIT_SOME_FAILED 1
#define TESSERA_EXIT_USAGE       2

#define TESSERA_TYPE_APPLICATION (tessera_application_get_type ())
G_DECLARE_FINAL_TYPE (TesseraApplication, tessera_application, TESSERA, APPLICATION, GtkApplication)

/* Returns (transfer full) the application: TESSERA_APP_ID, not unique (every run is a
 * process of its own) and handling its command line (see --help-all). Main thread, after
 * tessera_engine_init(); run it with g_application_run(). */
TesseraApplication *tessera_application_new (void);
/* The status to exit with once g_application_run() has returned 0. */
int tessera_application_get_exit_status (TesseraApplication *self);

G_END_DECLS
