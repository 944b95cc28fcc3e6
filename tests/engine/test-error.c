/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-error.c: the engine's error domain and the short labels failures show */

#define G_LOG_DOMAIN "test-error"

#include "config.h"

#include <gio/gio.h>

#include "tessera-error.h"

/* The formatter once spaced the name out ("tessera - error - quark"). */
static void
test_quark_name (void)
{
  g_assert_cmpstr (g_quark_to_string (TESSERA_ERROR), ==, "tessera-error-quark");
}

/* Every cancel in the engine is G_IO_ERROR_CANCELLED, and it has one label. */
static void
test_cancelled_label (void)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_true (g_cancellable_set_error_if_cancelled (cancellable, &error));
  g_assert_cmpstr (tessera_error_label (error), ==, "Cancelled");
}

static void
test_labels (void)
{
  g_autoptr (GError) too_large = g_error_new_literal (TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE, "");
  g_autoptr (GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "");

  g_assert_cmpstr (tessera_error_label (too_large), ==, "Too large");
  g_assert_cmpstr (tessera_error_label (io), ==, "Failed");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/error/quark-name", test_quark_name);
  g_test_add_func ("/error/cancelled-label", test_cancelled_label);
  g_test_add_func ("/error/labels", test_labels);

  return g_test_run ();
}
