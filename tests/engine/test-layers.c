/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-layers.c: the engine stays free of GTK, GSettings and the layers above it.
 *
 * The engine may use GDK (GdkTexture), and GDK and GTK share one pkg-config package,
 * so the compiler cannot keep <gtk/gtk.h> out of src/engine: this test does. Headers
 * of src/ui and src/app are kept out by the include paths (see src/engine/meson.build). */

#define G_LOG_DOMAIN "test-layers"

#include "config.h"

#include <gio/gio.h>

/* What an engine file must never contain, and why. */
typedef struct
{
  const char *pattern;
  const char *reason;
} Forbidden;

static const Forbidden forbidden[] = {
  { "#\\s*include\\s*[<\"](gtk|adwaita)[/.]", "includes GTK" },
  { "\\bgtk_[a-z0-9_]+\\s*\\(", "calls a gtk_ function" },
  { "\\b(GSettings|g_settings_[a-z0-9_]+)\\b", "uses GSettings (settings belong to the UI)" },
  { "#\\s*include\\s*\"tessera-(window|application|[a-z-]*-view|tile-widget|preferences|"
    "add-dialog|save-command)",
    "includes a UI or app header" },
};

/* Comments may name GTK (this file does); only code counts. */
static char *
strip_comments (const char *text)
{
  g_autoptr (GRegex) comments
      = g_regex_new ("/\\*.*?\\*/|//[^\n]*", G_REGEX_DOTALL, 0, NULL);

  return g_regex_replace_literal (comments, text, -1, 0, " ", 0, NULL);
}

/* Appends "file: reason" to @problems for every rule @text breaks. */
static void
check_text (const char *name, const char *text, GPtrArray *problems)
{
  g_autofree char *code = strip_comments (text);

  for (gsize i = 0; i < G_N_ELEMENTS (forbidden); i++)
    {
      g_autoptr (GRegex) regex = g_regex_new (forbidden[i].pattern, G_REGEX_MULTILINE, 0, NULL);
      g_autoptr (GMatchInfo) match = NULL;

      g_assert_nonnull (regex);
      if (g_regex_match (regex, code, 0, &match))
        {
          g_autofree char *found = g_match_info_fetch (match, 0);
          g_ptr_array_add (problems,
                           g_strdup_printf ("%s %s (%s)", name, forbidden[i].reason, found));
        }
    }
}

static void
check_folder (GFile *folder, GPtrArray *problems, guint *n_checked)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GFileEnumerator) children = g_file_enumerate_children (
      folder, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
      G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &error);

  g_assert_no_error (error);
  for (;;)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;
      const char *name;

      g_assert_true (g_file_enumerator_iterate (children, &info, &child, NULL, &error));
      g_assert_no_error (error);
      if (info == NULL)
        break;
      name = g_file_info_get_name (info);
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        check_folder (child, problems, n_checked);
      else if (g_str_has_suffix (name, ".c") || g_str_has_suffix (name, ".h"))
        {
          g_autofree char *text = NULL;
          g_autofree char *path = g_file_get_path (child);

          g_assert_true (g_file_get_contents (path, &text, NULL, &error));
          g_assert_no_error (error);
          check_text (path, text, problems);
          (*n_checked)++;
        }
    }
}

static void
test_engine_has_no_gtk (void)
{
  const char *root = g_getenv ("TESSERA_SOURCE_ROOT");
  g_autofree char *engine_path = NULL;
  g_autoptr (GFile) engine = NULL;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) report = g_string_new (NULL);
  guint n_checked = 0;

  g_assert_nonnull (root);
  engine_path = g_build_filename (root, "src", "engine", NULL);
  engine = g_file_new_for_path (engine_path);
  check_folder (engine, problems, &n_checked);

  /* A walk that found nothing would pass for the wrong reason. */
  g_assert_cmpuint (n_checked, >=, 30);
  for (guint i = 0; i < problems->len; i++)
    g_string_append_printf (report, "%s\n", (const char *) problems->pdata[i]);
  if (problems->len > 0)
    g_test_message ("%s", report->str);
  g_assert_cmpuint (problems->len, ==, 0);
}

/* The rules themselves: each would catch what it is there for. */
static void
test_rules_catch_violations (void)
{
  static const char *const bad[] = {
    "#include <gtk/gtk.h>\n",
    "# include \"gtk/gtk.h\"\n",
    "void f (void) { gtk_widget_show (w); }\n",
    "static GSettings *settings;\n",
    "x = g_settings_get_string (s, \"k\");\n",
    "#include \"tessera-window.h\"\n",
    "#include \"tessera-gallery-view.h\"\n",
    "#include \"tessera-save-command.h\"\n",
  };
  static const char *const good[] = {
    "#include <gdk/gdk.h>\n",
    "/* unlike gtk_widget_show () this runs on a worker */\n",
    "GdkTexture *texture = gdk_memory_texture_new (w, h, f, bytes, stride);\n",
    "#include \"tessera-gallery.h\"\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      check_text ("bad.c", bad[i], problems);
      g_assert_cmpuint (problems->len, ==, 1);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      check_text ("good.c", good[i], problems);
      g_assert_cmpuint (problems->len, ==, 0);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/layers/rules-catch-violations", test_rules_catch_violations);
  g_test_add_func ("/layers/engine-has-no-gtk", test_engine_has_no_gtk);
  return g_test_run ();
}
