/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c */

#define G_LOG_DOMAIN "tessera"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "tessera-application.h"
#include "tessera-engine.h"

int
main (int argc, char *argv[])
{
  g_autoptr (TesseraApplication) application = NULL;
  int status;

  tessera_engine_init ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TESSERA_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = tessera_application_new ();
  status = g_application_run (G_APPLICATION (application), argc, argv);
  return status != 0 ? status : tessera_application_get_exit_status (application);
}
