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
  /* By name, the include path keeps them out; by path, only this test does. */
  { "#\\s*include\\s*\"(\\.\\./|[^\"]*/\\.\\./|src/)",
    "includes a header by a path out of the engine" },
};

/* Comments may name GTK (this file does); only code counts. */
static char *
strip_comments (const char *text)
{
  g_autoptr (GRegex) comments = g_regex_new ("/\\*.*?\\*/|//[^\n]*", G_REGEX_DOTALL, 0, NULL);

  return g_regex_replace_literal (comments, text, -1, 0, " ", 0, NULL);
}

/* Appends "file: reason" to @problems for every quoted include in @code of a header named
 * in @upper_headers (the headers of src/ui and src/app), whatever path leads to it. */
static void
check_upper_includes (const char *name, const char *code, GHashTable *upper_headers,
                      GPtrArray *problems)
{
  g_autoptr (GRegex) include = g_regex_new ("#\\s*include\\s*\"([^\"]+)\"", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  for (g_regex_match (include, code, 0, &match); g_match_info_matches (match);
       g_match_info_next (match, NULL))
    {
      g_autofree char *header = g_match_info_fetch (match, 1);
      g_autofree char *base = g_path_get_basename (header);

      if (g_hash_table_contains (upper_headers, base))
        g_ptr_array_add (problems,
                         g_strdup_printf ("%s includes a UI or app header (%s)", name, header));
    }
}

/* Appends "file: reason" to @problems for every rule @text breaks. */
static void
check_text (const char *name, const char *text, GHashTable *upper_headers, GPtrArray *problems)
{
  g_autofree char *code = strip_comments (text);

  check_upper_includes (name, code, upper_headers, problems);
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

/* Calls @visit with each .c and .h file's path below @folder. */
static void
walk_sources (GFile *folder, void (*visit) (const char *path, gpointer data), gpointer data)
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
        walk_sources (child, visit, data);
      else if (g_str_has_suffix (name, ".c") || g_str_has_suffix (name, ".h"))
        {
          g_autofree char *path = g_file_get_path (child);

          visit (path, data);
        }
    }
}

static GFile *
source_folder (const char *name)
{
  const char *root = g_getenv ("TESSERA_SOURCE_ROOT");
  g_autofree char *path = NULL;

  g_assert_nonnull (root);
  path = g_build_filename (root, "src", name, NULL);
  return g_file_new_for_path (path);
}

static void
add_header_name (const char *path, gpointer data)
{
  if (g_str_has_suffix (path, ".h"))
    g_hash_table_add (data, g_path_get_basename (path));
}

/* The base names of every header of src/ui and src/app. */
static GHashTable *
collect_upper_headers (void)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GFile) ui = source_folder ("ui");
  g_autoptr (GFile) app = source_folder ("app");

  walk_sources (ui, add_header_name, names);
  walk_sources (app, add_header_name, names);
  return names;
}

typedef struct
{
  GHashTable *upper_headers;
  GPtrArray *problems;
  guint n_checked;
} EngineCheck;

static void
check_engine_file (const char *path, gpointer data)
{
  EngineCheck *check = data;
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  check_text (path, text, check->upper_headers, check->problems);
  check->n_checked++;
}

static void
test_engine_has_no_gtk (void)
{
  g_autoptr (GFile) engine = source_folder ("engine");
  g_autoptr (GHashTable) upper_headers = collect_upper_headers ();
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) report = g_string_new (NULL);
  EngineCheck check = { upper_headers, problems, 0 };

  walk_sources (engine, check_engine_file, &check);

  /* A walk that found nothing would pass for the wrong reason. */
  g_assert_cmpuint (check.n_checked, >=, 30);
  g_assert_true (g_hash_table_contains (upper_headers, "tessera-window.h"));
  g_assert_true (g_hash_table_contains (upper_headers, "tessera-stats.h"));
  for (guint i = 0; i < problems->len; i++)
    g_string_append_printf (report, "%s\n", (const char *) problems->pdata[i]);
  /* The report names each file and rule in the failure message itself. */
  g_assert_cmpstr (report->str, ==, "");
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
    "#include \"tessera-imgur-ui.h\"\n",
    "#include \"tessera-stats.h\"\n",
    "#include \"../ui/tessera-gallery-view.h\"\n",
    "#include \"src/app/tessera-save-command.h\"\n",
    "#include \"save/../../ui/something-new.h\"\n",
  };
  static const char *const good[] = {
    "#include <gdk/gdk.h>\n",
    "/* unlike gtk_widget_show () this runs on a worker */\n",
    "GdkTexture *texture = gdk_memory_texture_new (w, h, f, bytes, stride);\n",
    "#include \"tessera-gallery.h\"\n",
    "#include \"tessera-enum-types.h\"\n",
  };
  g_autoptr (GHashTable) upper_headers = collect_upper_headers ();

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      check_text ("bad.c", bad[i], upper_headers, problems);
      g_assert_cmpuint (problems->len, >=, 1);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      check_text ("good.c", good[i], upper_headers, problems);
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
