/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-engine.h: process-wide set-up of the engine, and the thread and clock checks */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Call once from main() before any thread starts: libcurl's global init, SIGPIPE
 * ignored, the main thread and the start clock recorded. Safe to call again. */
void tessera_engine_init (void);

/* Milliseconds since tessera_engine_init(): the clock --stats reports in. */
gint64 tessera_engine_elapsed_ms (void);

/* TRUE on the thread that called tessera_engine_init(), FALSE elsewhere or before it.
 * Any thread. */
gboolean tessera_engine_is_main_thread (void);

/* Gives back to the system the memory that threads have freed but glibc keeps in their
 * malloc arenas (malloc_trim), after something big let go of much at once: a save of
 * thousands of images left the window bigger by about what it had saved. Returns at once:
 * the trim, which can take milliseconds, runs on a GTask thread. Does nothing on other C
 * libraries. Main thread. */
void tessera_engine_release_memory (void);

/* Debug builds assert that network I/O and decoding never run on the main thread. */
#ifdef TESSERA_THREAD_CHECKS
#define TESSERA_ASSERT_WORKER_THREAD() g_assert (!tessera_engine_is_main_thread ())
#define TESSERA_ASSERT_MAIN_THREAD()   g_assert (tessera_engine_is_main_thread ())
#else
#define TESSERA_ASSERT_WORKER_THREAD()                                                             \
  G_STMT_START {}                                                                                  \
  G_STMT_END
#define TESSERA_ASSERT_MAIN_THREAD()                                                               \
  G_STMT_START {}                                                                                  \
  G_STMT_END
#endif

G_END_DECLS
