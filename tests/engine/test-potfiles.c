/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-potfiles.c: every source file with strings to translate is in po/POTFILES.in, so
 * that xgettext sees them */

#define G_LOG_DOMAIN "test-potfiles"

#include "config.h"

#include <glib.h>

/* gettext's keywords of meson's "glib" preset as calls, and GtkBuilder's mark. */
#define TRANSLATABLE_PATTERN                                                                       \
  "(?<![A-Za-z0-9_])(?:NC_|[NCQ]?_|ngettext|g_d[a-z]*gettext2?)\\s*\\(|translatable=\"yes\""
/* The sources of today, so that a walk that finds nothing does not pass. */
#define MIN_TRANSLATED_FILES 20

static gboolean
is_source (const char *name)
{
  return g_str_has_suffix (name, ".c") || g_str_has_suffix (name, ".h")
         || g_str_has_suffix (name, ".ui");
}

static gboolean
has_translatable (GRegex *regex, const char *text)
{
  return g_regex_match (regex, text, 0, NULL);
}

/* Adds to @found the path, relative to @root, of each source file below @relative_dir that
 * has a string to translate. */
static void
collect_translated (GRegex *regex, const char *root, const char *relative_dir, GPtrArray *found)
{
  g_autofree char *dir_path = g_build_filename (root, relative_dir, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *relative = g_build_filename (relative_dir, name, NULL);
      g_autofree char *path = g_build_filename (root, relative, NULL);
      g_autofree char *text = NULL;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_translated (regex, root, relative, found);
      else if (is_source (name))
        {
          g_assert_true (g_file_get_contents (path, &text, NULL, &error));
          g_assert_no_error (error);
          if (has_translatable (regex, text))
            g_ptr_array_add (found, g_steal_pointer (&relative));
        }
    }
}

/* The files po/POTFILES.in lists (comments and blank lines left out). */
static GHashTable *
read_potfiles (const char *root)
{
  g_autofree char *path = g_build_filename (root, "po", "POTFILES.in", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  GHashTable *listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line != '\0' && *line != '#')
        g_hash_table_add (listed, g_strdup (line));
    }
  return listed;
}

static void
test_sources_listed (void)
{
  const char *root = g_getenv ("TESSERA_SOURCE_ROOT");
  g_autoptr (GRegex) regex = g_regex_new (TRANSLATABLE_PATTERN, G_REGEX_OPTIMIZE, 0, NULL);
  g_autoptr (GPtrArray) translated = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) listed = NULL;
  guint n_missing = 0;

  g_assert_nonnull (root);
  g_assert_nonnull (regex);
  collect_translated (regex, root, "src", translated);
  listed = read_potfiles (root);

  g_assert_cmpuint (translated->len, >=, MIN_TRANSLATED_FILES);
  for (guint i = 0; i < translated->len; i++)
    if (!g_hash_table_contains (listed, translated->pdata[i]))
      {
        g_test_message ("not in po/POTFILES.in: %s", (const char *) translated->pdata[i]);
        n_missing++;
      }
  g_assert_cmpuint (n_missing, ==, 0);
}

/* A file listed that is gone stops xgettext. */
static void
test_listed_exist (void)
{
  const char *root = g_getenv ("TESSERA_SOURCE_ROOT");
  g_autoptr (GHashTable) listed = NULL;
  GHashTableIter iter;
  gpointer relative;
  guint n_gone = 0;

  g_assert_nonnull (root);
  listed = read_potfiles (root);
  g_hash_table_iter_init (&iter, listed);
  while (g_hash_table_iter_next (&iter, &relative, NULL))
    {
      g_autofree char *path = g_build_filename (root, relative, NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_test_message ("listed but missing: %s", (const char *) relative);
          n_gone++;
        }
    }
  g_assert_cmpuint (n_gone, ==, 0);
}

/* The pattern finds each way a string is marked, and not names that merely end in "_". */
static void
test_pattern (void)
{
  static const char *const marked[] = {
    "g_printerr (_ (\"Saved\"));",
    "label = _(\"Saved\");",
    "{ N_ (\"Redirect loop\") },",
    "C_ (\"sort\", \"Top\")",
    "ngettext (\"%u image\", \"%u images\", n)",
    "g_dngettext (NULL, \"a\", \"b\", n)",
    "<property name=\"label\" translatable=\"yes\">Save</property>",
  };
  static const char *const unmarked[] = {
    "g_strdup_printf (\"%s\", name);",
    "value_ (x);",
    "G_STMT_START { } G_STMT_END",
    "<property name=\"label\">x</property>",
  };
  g_autoptr (GRegex) regex = g_regex_new (TRANSLATABLE_PATTERN, G_REGEX_OPTIMIZE, 0, NULL);

  g_assert_nonnull (regex);
  for (gsize i = 0; i < G_N_ELEMENTS (marked); i++)
    g_assert_true (has_translatable (regex, marked[i]));
  for (gsize i = 0; i < G_N_ELEMENTS (unmarked); i++)
    g_assert_false (has_translatable (regex, unmarked[i]));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/potfiles/pattern", test_pattern);
  g_test_add_func ("/potfiles/sources-listed", test_sources_listed);
  g_test_add_func ("/potfiles/listed-exist", test_listed_exist);

  return g_test_run ();
}
