/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-engine.c */

#define G_LOG_DOMAIN "tessera-engine"

#include "config.h"

#include <signal.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <curl/curl.h>
#include <gio/gio.h>
#include <openssl/crypto.h>

#include "tessera-engine.h"

static GThread *main_thread;
static gint64 start_time_us;

void
tessera_engine_init (void)
{
  static gsize initialized = 0;

  if (!g_once_init_enter (&initialized))
    return;

  main_thread = g_thread_self ();
  start_time_us = g_get_monotonic_time ();

  /* A peer that closes a keep-alive connection must not kill the process. */
  signal (SIGPIPE, SIG_IGN);

  /* GLib does not join a pool's threads, so some may still be ending (OpenSSL's thread-exit
   * handlers) as the process exits: OpenSSL must not free its state at exit under them. */
  if (OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, NULL) != 1)
    g_error ("OpenSSL could not be initialised");
  if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
    g_error ("libcurl could not be initialised");

  g_once_init_leave (&initialized, 1);
}

gint64
tessera_engine_elapsed_ms (void)
{
  return (g_get_monotonic_time () - start_time_us) / 1000;
}

gboolean
tessera_engine_is_main_thread (void)
{
  return main_thread == g_thread_self ();
}

#ifdef __GLIBC__
static void
trim_memory (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  malloc_trim (0);
  g_task_return_boolean (task, TRUE);
}
#endif

void
tessera_engine_release_memory (void)
{
#ifdef __GLIBC__
  g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_run_in_thread (task, trim_memory);
#endif
}
