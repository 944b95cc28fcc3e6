/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-application.c */

#define G_LOG_DOMAIN "tessera-application"

#include "config.h"

#include <signal.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "tessera-application.h"
#include "tessera-imgur-ui.h"
#include "tessera-input-ui.h"
#include "tessera-input.h"
#include "tessera-preferences.h"
#include "tessera-save-command.h"
#include "tessera-stats.h"
#include "tessera-window.h"

struct _TesseraApplication
{
  GtkApplication parent_instance;

  GSettings *settings; /* NULL when the schema is not installed */
  TesseraCache *cache;
  TesseraLoader *loader;
  TesseraGallery *gallery;       /* links given on the command line, pasted, dropped */
  TesseraGallery *imgur_gallery; /* Imgur's posts */
  TesseraGallery *watched;       /* the one --stats and --exit-when-done are about */
  TesseraWindow *window;

  gboolean imgur_requested;
  char *imgur_query; /* --imgur's value, checked in command_line */
  char *imgur_help;  /* --imgur's description, which names the Client ID's variable */
  gboolean exit_when_done;
  char *stats_path;
  int exit_status;
  gboolean options_parsed; /* GApplication accepted the command line */
};

G_DEFINE_FINAL_TYPE (TesseraApplication, tessera_application, GTK_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  /* A string, not G_OPTION_ARG_INT: GApplication drops an int option whose value is 0, so
   * "--jobs=0" would pass unseen instead of being refused. */
  { "jobs", 'j', 0, G_OPTION_ARG_STRING, NULL,
    N_ ("Download with N workers (1 to 32, default 8): each one connection per host, carrying "
        "up to 16 images at once over HTTP/2"),
    N_ ("N") },
  { "exit-when-done", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_ ("Quit once every tile has loaded or failed"), NULL },
  { "stats", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_ ("At exit, write load statistics as JSON to FILE"), N_ ("FILE") },
  { "save-to", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_ ("Without a window, download the originals into the folder DIR and quit"), N_ ("DIR") },
  { "empty-cache", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_ ("Remove every downloaded image kept in the disk cache, and quit"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Show the version and exit"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL,
    N_ ("[URL…|FILE…|FOLDER…|-]") },
  { NULL }
};

/* The schema from the system, else the one compiled in the build tree, so that an
 * uninstalled build keeps its settings too. */
static GSettingsSchema *
find_settings_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchemaSource) build_source = NULL;
  GSettingsSchema *schema = NULL;

  if (source != NULL && (schema = g_settings_schema_source_lookup (source, TESSERA_APP_ID, TRUE)))
    return schema;
  build_source
      = g_settings_schema_source_new_from_directory (TESSERA_BUILD_SCHEMA_DIR, source, FALSE, NULL);
  return build_source ? g_settings_schema_source_lookup (build_source, TESSERA_APP_ID, FALSE)
                      : NULL;
}

static GSettings *
load_settings (void)
{
  g_autoptr (GSettingsSchema) schema = find_settings_schema ();

  if (schema == NULL)
    {
      g_warning ("The settings schema %s is not installed; settings will not be kept",
                 TESSERA_APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

/* A GOptionGroup callback, so that --imgur may come with or without a value. */
static gboolean
on_imgur_option (const char *name, const char *value, gpointer data, GError **error)
{
  TesseraApplication *self = data;

  self->imgur_requested = TRUE;
  g_free (self->imgur_query);
  self->imgur_query = g_strdup (value);
  return TRUE;
}

static void
on_gallery_progress (TesseraGallery *gallery, GParamSpec *pspec, gpointer user_data)
{
  TesseraApplication *self = user_data;

  if (self->exit_when_done && gallery == self->watched && tessera_gallery_is_done (gallery))
    g_application_quit (G_APPLICATION (self));
}

/* The cap in bytes from the settings (MiB there), else the default. */
static guint64
cache_max_bytes (TesseraApplication *self)
{
  if (self->settings == NULL)
    return TESSERA_CACHE_DEFAULT_MAX_BYTES;
  return (guint64) g_settings_get_uint (self->settings, TESSERA_CACHE_SIZE_KEY) * 1024 * 1024;
}

static void
on_cache_size_changed (GSettings *settings, const char *key, gpointer user_data)
{
  TesseraApplication *self = user_data;

  tessera_cache_set_max_bytes (self->cache, cache_max_bytes (self));
}

/* The disk cache in the user's cache folder ($XDG_CACHE_HOME/tessera), opened once. */
static TesseraCache *
ensure_cache (TesseraApplication *self)
{
  g_autofree char *dir = NULL;

  if (self->cache != NULL)
    return self->cache;
  dir = g_build_filename (g_get_user_cache_dir (), TESSERA_CACHE_DIR_NAME, NULL);
  self->cache = tessera_cache_new (dir, cache_max_bytes (self));
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::" TESSERA_CACHE_SIZE_KEY,
                             G_CALLBACK (on_cache_size_changed), self, 0);
  return self->cache;
}

/* Workers that look in the disk cache before the network, and keep what they download. */
static TesseraLoader *
new_loader (TesseraApplication *self, guint n_jobs)
{
  TesseraLoader *loader = tessera_loader_new (n_jobs, NULL);

  tessera_loader_set_cache (loader, ensure_cache (self));
  return loader;
}

static void
ensure_galleries (TesseraApplication *self, guint n_jobs)
{
  if (self->gallery != NULL)
    return;

  self->loader = new_loader (self, n_jobs);
  self->gallery = tessera_gallery_new (self->loader);
  self->imgur_gallery = tessera_gallery_new (self->loader);
  self->watched = self->gallery;
  g_signal_connect (self->gallery, "notify::n-finished", G_CALLBACK (on_gallery_progress), self);
  g_signal_connect (self->imgur_gallery, "notify::n-finished", G_CALLBACK (on_gallery_progress),
                    self);
}

static TesseraWindow *
ensure_window (TesseraApplication *self)
{
  if (self->window == NULL)
    {
      self->window = tessera_window_new (GTK_APPLICATION (self), self->gallery, self->imgur_gallery,
                                         self->settings);
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
    }
  return self->window;
}

static guint
default_jobs (TesseraApplication *self)
{
  return self->settings ? g_settings_get_uint (self->settings, "jobs")
                        : TESSERA_LOADER_DEFAULT_JOBS;
}

/* --jobs when given and valid into *@n_jobs; FALSE with the message when out of range. */
static gboolean
parse_jobs_option (GVariantDict *options, guint *n_jobs, char **message)
{
  const char *text = NULL;
  guint64 jobs = 0;

  if (!g_variant_dict_lookup (options, "jobs", "&s", &text))
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, TESSERA_LOADER_MIN_JOBS, TESSERA_LOADER_MAX_JOBS,
                                   &jobs, NULL))
    {
      *message = g_strdup_printf (_ ("--jobs must be between %d and %d, not “%s”"),
                                  TESSERA_LOADER_MIN_JOBS, TESSERA_LOADER_MAX_JOBS, text);
      return FALSE;
    }
  *n_jobs = (guint) jobs;
  return TRUE;
}

static gboolean
read_jobs_option (GApplicationCommandLine *command_line, GVariantDict *options, guint *n_jobs)
{
  g_autofree char *message = NULL;

  if (parse_jobs_option (options, n_jobs, &message))
    return TRUE;
  g_application_command_line_printerr (command_line, "%s\n", message);
  return FALSE;
}

/* Returns FALSE, having told the person, when an option is out of range. */
static gboolean
read_options (TesseraApplication *self, GApplicationCommandLine *command_line, guint *n_jobs)
{
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *stats = NULL;

  *n_jobs = default_jobs (self);
  if (!read_jobs_option (command_line, options, n_jobs))
    return FALSE;

  self->exit_when_done = g_variant_dict_contains (options, "exit-when-done");
  if (g_variant_dict_lookup (options, "stats", "^&ay", &stats))
    {
      g_autoptr (GFile) file = g_application_command_line_create_file_for_arg (command_line, stats);
      g_free (self->stats_path);
      self->stats_path = g_file_get_path (file);
    }
  return TRUE;
}

static void
on_args_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TesseraApplication) self = user_data;
  g_autoptr (TesseraUrlList) list = tessera_input_finish (result, NULL);
  g_autofree char *skipped = list ? tessera_input_describe_skipped (list) : NULL;

  if (skipped != NULL)
    g_printerr ("%s\n", skipped);
  if (self->window != NULL && list != NULL)
    tessera_window_add_url_list (self->window, list);

  /* Nothing usable was given: there is nothing to wait for. */
  if (self->exit_when_done && self->watched == self->gallery
      && tessera_gallery_get_n_tiles (self->gallery) == 0)
    {
      g_printerr ("%s\n", _ ("No image URLs were found"));
      self->exit_status = TESSERA_EXIT_SOME_FAILED;
      g_application_quit (G_APPLICATION (self));
    }
}

/* A failed source with nothing on screen is as done as --exit-when-done gets. */
static void
on_imgur_state (TesseraImgurSource *source, GParamSpec *pspec, gpointer user_data)
{
  TesseraApplication *self = user_data;

  g_autofree char *problem = tessera_imgur_describe_problem (source);

  if (self->exit_when_done && problem != NULL
      && tessera_gallery_get_n_tiles (self->imgur_gallery) == 0)
    {
      g_printerr ("%s\n", problem);
      self->exit_status = TESSERA_EXIT_SOME_FAILED;
      g_application_quit (G_APPLICATION (self));
    }
}

static void
open_imgur (TesseraApplication *self, const TesseraImgurQuery *query)
{
  TesseraImgurSource *source;

  self->watched = self->imgur_gallery;
  tessera_window_open_imgur (self->window, query);
  source = tessera_imgur_view_get_source (tessera_window_get_imgur_view (self->window));
  g_signal_connect_object (source, "notify::state", G_CALLBACK (on_imgur_state), self, 0);
  /* It may have failed at once (no Client ID). */
  on_imgur_state (source, NULL, self);
}

static int
tessera_application_command_line (GApplication *application, GApplicationCommandLine *command_line)
{
  TesseraApplication *self = TESSERA_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree const char **args = NULL;
  g_autoptr (GFile) cwd = NULL;
  g_auto (TesseraImgurQuery) query = { 0 };
  g_autoptr (GError) error = NULL;
  guint n_jobs = 0;

  if (g_variant_dict_contains (options, "version"))
    {
      g_application_command_line_print (command_line, "tessera %s\n", TESSERA_VERSION);
      return TESSERA_EXIT_OK;
    }

  if (!read_options (self, command_line, &n_jobs))
    return TESSERA_EXIT_USAGE;
  if (self->imgur_requested && !tessera_imgur_query_parse (self->imgur_query, &query, &error))
    {
      g_application_command_line_printerr (command_line, "%s\n", error->message);
      return TESSERA_EXIT_USAGE;
    }

  ensure_galleries (self, n_jobs);
  gtk_window_present (GTK_WINDOW (ensure_window (self)));
  if (self->imgur_requested)
    open_imgur (self, &query);

  if (g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &args))
    {
      cwd = g_file_new_for_path (g_application_command_line_get_cwd (command_line));
      tessera_input_from_args_async (args, cwd, NULL, on_args_resolved, g_object_ref (self));
    }
  else if (self->exit_when_done && !self->imgur_requested)
    {
      g_application_command_line_printerr (command_line, "%s\n",
                                           _ ("--exit-when-done needs URLs or files to load"));
      return TESSERA_EXIT_USAGE;
    }

  return TESSERA_EXIT_OK;
}

static void
write_stats (TesseraApplication *self)
{
  g_autoptr (GError) error = NULL;

  if (!tessera_stats_write (self->watched, self->stats_path, &error))
    g_printerr (_ ("Could not write statistics: %s\n"), error->message);
}

static void
tessera_application_shutdown (GApplication *application)
{
  TesseraApplication *self = TESSERA_APPLICATION (application);

  if (self->gallery != NULL)
    {
      if (self->stats_path != NULL)
        write_stats (self);
      if (self->exit_when_done && tessera_gallery_get_n_failed (self->watched) > 0
          && self->exit_status == TESSERA_EXIT_OK)
        self->exit_status = TESSERA_EXIT_SOME_FAILED;
      /* Stop every download now, so quitting does not wait on the network. */
      if (self->window != NULL)
        gtk_window_destroy (GTK_WINDOW (self->window));
      tessera_gallery_clear (self->gallery);
      tessera_gallery_clear (self->imgur_gallery);
    }

  G_APPLICATION_CLASS (tessera_application_parent_class)->shutdown (application);
}

static void
about_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  const char *authors[] = { "The Tessera developers", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (application), "program-name", "Tessera",
                         "logo-icon-name", "image-x-generic", "version", TESSERA_VERSION,
                         "comments", _ ("A gallery that fills with thumbnails as they download"),
                         "license-type", GTK_LICENSE_GPL_3_0, "authors", authors, NULL);
}

static void
preferences_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TesseraApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->settings == NULL)
    return;
  gtk_window_present (
      GTK_WINDOW (tessera_preferences_new (parent, self->settings, ensure_cache (self))));
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* The application's own keyboard shortcuts, in one place; the window binds those of its
 * win.* actions on its class (tessera-window-actions.c). */
static void
set_accelerators (GtkApplication *application)
{
  static const struct
  {
    const char *action;
    const char *accels[2];
  } shortcuts[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    gtk_application_set_accels_for_action (application, shortcuts[i].action, shortcuts[i].accels);
}

/* Ctrl+C in a terminal or a TERM from a script quits as the Quit action does: downloads
 * are cancelled and --stats is still written. */
static gboolean
on_quit_signal (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

static void
tessera_application_startup (GApplication *application)
{
  static const GActionEntry actions[] = {
    { "about", about_activated },
    { "preferences", preferences_activated },
    { "quit", quit_activated },
  };

  G_APPLICATION_CLASS (tessera_application_parent_class)->startup (application);

  g_unix_signal_add (SIGINT, on_quit_signal, application);
  g_unix_signal_add (SIGTERM, on_quit_signal, application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), actions, G_N_ELEMENTS (actions),
                                   application);
  set_accelerators (GTK_APPLICATION (application));
}

static void
tessera_application_finalize (GObject *object)
{
  TesseraApplication *self = TESSERA_APPLICATION (object);

  g_clear_object (&self->gallery);
  g_clear_object (&self->imgur_gallery);
  g_clear_object (&self->loader);
  g_clear_object (&self->cache);
  g_free (self->imgur_query);
  g_free (self->imgur_help);
  g_clear_object (&self->settings);
  g_free (self->stats_path);

  G_OBJECT_CLASS (tessera_application_parent_class)->finalize (object);
}

static int
save_imgur (TesseraApplication *self, const char *dir, guint n_jobs)
{
  g_autoptr (TesseraLoader) loader = NULL;
  g_auto (TesseraImgurQuery) query = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *client_id = tessera_imgur_client_id (self->settings);
  TesseraImgurShow show = tessera_imgur_show (self->settings);

  TesseraImgurProblem problem;
  g_autofree char *message = NULL;

  if (!tessera_imgur_query_parse (self->imgur_query, &query, &error))
    {
      g_printerr ("%s\n", error->message);
      return TESSERA_EXIT_USAGE;
    }
  /* Nothing to list without a usable Client ID: say what to do, instead of one failure. */
  if (!tessera_imgur_check_client_id (client_id, &problem, &message))
    {
      g_autofree char *described = tessera_imgur_describe (problem, message);

      g_printerr ("%s\n", described);
      return TESSERA_EXIT_SOME_FAILED;
    }
  loader = new_loader (self, n_jobs);
  return tessera_save_command_run_imgur (dir, &query, client_id, show, loader);
}

static void
keep_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* --empty-cache: what was freed, or why not. */
static int
empty_cache (TesseraApplication *self)
{
  TesseraCache *cache = ensure_cache (self);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *size = NULL;
  guint64 freed = 0;

  /* On the cache's own thread, as everything it does; nothing else runs meanwhile. */
  tessera_cache_clear_async (cache, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!tessera_cache_clear_finish (cache, result, &freed, &error))
    {
      g_printerr ("%s\n", error->message);
      return TESSERA_EXIT_SOME_FAILED;
    }
  size = g_format_size (freed);
  /* Translators: %s is a size such as "12.3 MB", then the cache's folder */
  g_print (_ ("Freed %s from the cache in %s\n"), size, tessera_cache_get_dir (cache));
  return TESSERA_EXIT_OK;
}

/* --save-to and --empty-cache run here, in the local instance, so they need no display. */
static int
tessera_application_handle_local_options (GApplication *application, GVariantDict *options)
{
  TesseraApplication *self = TESSERA_APPLICATION (application);
  g_autoptr (TesseraLoader) loader = NULL;
  const char *dir = NULL;
  g_autofree const char **args = NULL;
  g_autofree char *message = NULL;
  g_autofree char *cwd_path = g_get_current_dir ();
  g_autoptr (GFile) cwd = g_file_new_for_path (cwd_path);
  guint n_jobs = default_jobs (self);
  gboolean has_args;

  self->options_parsed = TRUE;
  if (g_variant_dict_contains (options, "empty-cache"))
    return empty_cache (self);
  if (!g_variant_dict_lookup (options, "save-to", "^&ay", &dir))
    return -1;
  if (!parse_jobs_option (options, &n_jobs, &message))
    {
      g_printerr ("%s\n", message);
      return TESSERA_EXIT_USAGE;
    }
  has_args = g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &args);
  if (self->imgur_requested && has_args)
    {
      g_printerr ("%s\n", _ ("--save-to takes either --imgur or URLs and files, not both"));
      return TESSERA_EXIT_USAGE;
    }
  if (self->imgur_requested)
    return save_imgur (self, dir, n_jobs);
  if (!has_args)
    {
      g_printerr ("%s\n", _ ("--save-to needs URLs or files to save, or --imgur"));
      return TESSERA_EXIT_USAGE;
    }
  loader = new_loader (self, n_jobs);
  return tessera_save_command_run (dir, args, cwd, loader);
}

/* GApplication ends with 1 when it cannot parse the command line (an unknown option, a
 * missing value); Tessera's usage errors end with 2. */
static gboolean
tessera_application_local_command_line (GApplication *application, char ***arguments,
                                        int *exit_status)
{
  TesseraApplication *self = TESSERA_APPLICATION (application);
  gboolean handled = G_APPLICATION_CLASS (tessera_application_parent_class)
                         ->local_command_line (application, arguments, exit_status);

  if (handled && !self->options_parsed && *exit_status == 1)
    *exit_status = TESSERA_EXIT_USAGE;
  return handled;
}

static void
tessera_application_class_init (TesseraApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = tessera_application_finalize;
  application_class->command_line = tessera_application_command_line;
  application_class->handle_local_options = tessera_application_handle_local_options;
  application_class->local_command_line = tessera_application_local_command_line;
  application_class->startup = tessera_application_startup;
  application_class->shutdown = tessera_application_shutdown;
}

static void
add_imgur_options (TesseraApplication *self)
{
  GOptionEntry entries[] = {
    { "imgur", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, on_imgur_option, NULL,
      N_ ("QUERY") },
    { NULL },
  };
  GOptionGroup *group
      = g_option_group_new ("imgur", _ ("Imgur options"), _ ("Show the Imgur options"), self, NULL);

  /* Translated here, as the variable's name is not part of the text; the group's own
   * translation finds nothing more to do with it. */
  self->imgur_help = g_strdup_printf (
      _ ("Browse Imgur’s gallery; QUERY is SECTION/SORT/WINDOW, for example top/top/week "
         "(default %s/%s/%s). Needs %s or a Client ID in Preferences"),
      tessera_imgur_choice_default (TESSERA_IMGUR_CHOICE_SECTION),
      tessera_imgur_choice_default (TESSERA_IMGUR_CHOICE_SORT),
      tessera_imgur_choice_default (TESSERA_IMGUR_CHOICE_WINDOW), TESSERA_IMGUR_CLIENT_ID_ENV);
  entries[0].description = self->imgur_help;

  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);
  g_application_add_option_group (G_APPLICATION (self), group);
}

static void
tessera_application_init (TesseraApplication *self)
{
  self->settings = load_settings ();
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  add_imgur_options (self);
  g_application_set_option_context_summary (
      G_APPLICATION (self),
      _ ("Show images from URLs, text files of URLs, folders or standard input as a grid of "
         "thumbnails that fill in as they download.\n\nExit status with --exit-when-done: 0 when "
         "every image loaded, 1 when some failed, 2 for a wrong command line."));
}

TesseraApplication *
tessera_application_new (void)
{
  return g_object_new (TESSERA_TYPE_APPLICATION, "application-id", TESSERA_APP_ID, "flags",
                       G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE, NULL);
}

int
tessera_application_get_exit_status (TesseraApplication *self)
{
  g_return_val_if_fail (TESSERA_IS_APPLICATION (self), TESSERA_EXIT_USAGE);
  return self->exit_status;
}
