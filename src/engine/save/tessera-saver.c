/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-saver.c: originals from the loader's workers (or from disk) to one writer thread */

#define G_LOG_DOMAIN "tessera-saver"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-save-name.h"
#include "tessera-save.h"
#include "tessera-saver.h"

/* Saving goes before the thumbnails still queued. */
#define SAVE_PRIORITY (G_MININT + 1)

struct _TesseraSaver
{
  GObject parent_instance;

  TesseraLoader *loader;
  char *dir;
  GMainContext *context; /* where progress is reported */
  GThreadPool *writer;   /* one thread: names are claimed in order */
  GCancellable *cancellable;
  GPtrArray *jobs; /* SaveJob */
  gboolean started;
  guint n_done;
  GPtrArray *failures;
  GPtrArray *saved_names;
};

G_DEFINE_FINAL_TYPE (TesseraSaver, tessera_saver, G_TYPE_OBJECT)

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  TesseraSaver *saver; /* owned while the job is under way */
  guint number;        /* from 1, for names like "image-7" */
  char *uri;
  char *path;
  char *title;
  char *id;
  char *folder;            /* a subfolder of the saver's, or NULL */
  GdkTexture *texture;     /* saved as PNG instead of the original */
  TesseraRequest *request; /* while downloading */
  GBytes *bytes;           /* once downloaded */
  gboolean done;
  char *saved_name; /* set by the writer */
  char *failure;
} SaveJob;

static void
save_job_free (gpointer data)
{
  SaveJob *job = data;

  g_clear_pointer (&job->request, tessera_request_unref);
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_clear_object (&job->texture);
  g_free (job->uri);
  g_free (job->path);
  g_free (job->title);
  g_free (job->id);
  g_free (job->folder);
  g_free (job->saved_name);
  g_free (job->failure);
  g_free (job);
}

/* Main thread: one item is over, saved or not. */
static void
finish_job (SaveJob *job)
{
  TesseraSaver *self = job->saver;

  TESSERA_ASSERT_MAIN_THREAD ();

  if (job->done)
    return;
  job->done = TRUE;
  self->n_done++;
  if (job->saved_name != NULL)
    g_ptr_array_add (self->saved_names, g_strdup (job->saved_name));
  else
    g_ptr_array_add (self->failures,
                     g_strdup_printf ("%s: %s", job->uri ? job->uri : job->path,
                                      job->failure ? job->failure : _ ("Cancelled")));
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
  if (self->n_done == self->jobs->len)
    g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static gboolean
report_written (gpointer data)
{
  finish_job (data);
  return G_SOURCE_REMOVE;
}

static GBytes *
read_original (const char *path, GError **error)
{
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  return g_bytes_new_take (contents, len);
}

static char *
name_for (SaveJob *job, TesseraImageFormat format)
{
  g_autofree char *uri = job->uri ? g_strdup (job->uri) : g_filename_to_uri (job->path, NULL, NULL);

  if (job->id != NULL)
    return tessera_save_name_for_post (job->title, job->id, format);
  return tessera_save_name_for_url (uri ? uri : "", format, job->number);
}

/* Writer thread: the saved name, relative to the saver's folder. */
static char *
write_bytes (SaveJob *job, GBytes *bytes, GError **error)
{
  TesseraSaver *self = job->saver;
  gsize len = 0;
  const guint8 *head = g_bytes_get_data (bytes, &len);
  g_autofree char *name = name_for (job, tessera_image_sniff (head, len));
  g_autofree char *dir = NULL;
  g_autofree char *saved = NULL;

  if (job->folder == NULL)
    return tessera_save_write_unique (self->dir, name, bytes, self->cancellable, error);
  dir = tessera_save_make_folder (self->dir, job->folder, error);
  if (dir == NULL)
    return NULL;
  saved = tessera_save_write_unique (dir, name, bytes, self->cancellable, error);
  return saved ? g_build_filename (job->folder, saved, NULL) : NULL;
}

/* Writer thread. */
static void
write_job (gpointer data, gpointer user_data)
{
  SaveJob *job = data;
  TesseraSaver *self = job->saver;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = job->bytes ? g_bytes_ref (job->bytes) : NULL;

  /* Textures are immutable, so encoding one off the main thread is safe. */
  if (!g_cancellable_set_error_if_cancelled (self->cancellable, &error) && bytes == NULL)
    bytes = job->texture ? gdk_texture_save_to_png_bytes (job->texture)
                         : read_original (job->path, &error);
  if (bytes != NULL && error == NULL)
    job->saved_name = write_bytes (job, bytes, &error);
  if (error != NULL)
    job->failure = g_strdup (error->message);
  g_main_context_invoke (self->context, report_written, job);
}

/* A failure known before starting is reported as the others are: from the main loop. */
static void
report_later (TesseraSaver *self, SaveJob *job)
{
  g_autoptr (GSource) source = g_idle_source_new ();

  g_source_set_callback (source, report_written, job, NULL);
  g_source_attach (source, self->context);
}

/* Worker: a download counts when it is a 2xx image; the saver keeps its bytes as sent. */
static gpointer
keep_original (const TesseraResponse *response, gpointer parse_data, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (response->body, &len);

  if (response->status < 200 || response->status >= 300)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_HTTP,
                   _ ("The server answered with status %ld"), response->status);
      return NULL;
    }
  if (tessera_image_sniff (data, len) == TESSERA_IMAGE_FORMAT_UNKNOWN)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_NOT_IMAGE, _ ("Not an image"));
      return NULL;
    }
  return g_bytes_ref (response->body);
}

static void
on_downloaded (const TesseraLoadResult *result, gpointer user_data)
{
  SaveJob *job = user_data;

  g_clear_pointer (&job->request, tessera_request_unref);
  if (result->data == NULL)
    {
      job->failure = g_strdup (result->error->message);
      finish_job (job);
      return;
    }
  job->bytes = g_bytes_ref (result->data);
  g_thread_pool_push (job->saver->writer, job, NULL);
}

static void
start_job (TesseraSaver *self, SaveJob *job)
{
  TesseraDataJob download = { NULL, keep_original, NULL, NULL, (GDestroyNotify) g_bytes_unref };

  if (job->failure != NULL)
    report_later (self, job);
  else if (job->path != NULL || job->texture != NULL)
    g_thread_pool_push (self->writer, job, NULL);
  else
    job->request = tessera_loader_submit_data (self->loader, job->uri, SAVE_PRIORITY, &download,
                                               on_downloaded, job, NULL);
}

static SaveJob *
add_job (TesseraSaver *self)
{
  SaveJob *job = g_new0 (SaveJob, 1);

  job->saver = self;
  job->number = self->jobs->len + 1;
  g_ptr_array_add (self->jobs, job);
  return job;
}

void
tessera_saver_add_failure (TesseraSaver *self, const char *what, const char *why)
{
  SaveJob *job;

  g_return_if_fail (TESSERA_IS_SAVER (self));
  g_return_if_fail (what != NULL && why != NULL);
  g_return_if_fail (!self->started);

  job = add_job (self);
  job->uri = g_strdup (what);
  job->failure = g_strdup (why);
}

void
tessera_saver_add (TesseraSaver *self, const TesseraSaveItem *item)
{
  SaveJob *job;

  g_return_if_fail (TESSERA_IS_SAVER (self));
  g_return_if_fail (item != NULL && (item->uri != NULL || item->path != NULL));
  g_return_if_fail (item->texture == NULL || GDK_IS_TEXTURE (item->texture));
  g_return_if_fail (item->folder == NULL
                    || (*item->folder != '\0' && strchr (item->folder, '/') == NULL));
  g_return_if_fail (!self->started);

  job = add_job (self);
  job->uri = g_strdup (item->uri);
  job->path = g_strdup (item->path);
  job->title = g_strdup (item->title);
  job->id = g_strdup (item->id);
  job->folder = g_strdup (item->folder);
  job->texture = item->texture ? g_object_ref (item->texture) : NULL;
}

static gboolean
emit_finished_if_empty (gpointer data)
{
  TesseraSaver *self = data;

  if (self->jobs->len == 0)
    g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
  return G_SOURCE_REMOVE;
}

static void
release_after_finish (TesseraSaver *self, gpointer user_data)
{
  g_object_unref (self);
}

void
tessera_saver_start (TesseraSaver *self)
{
  g_return_if_fail (TESSERA_IS_SAVER (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  /* Held until the last job reports: writer jobs point back at the saver. */
  g_object_ref (self);
  g_signal_connect (self, "finished", G_CALLBACK (release_after_finish), NULL);
  if (self->jobs->len == 0)
    {
      g_idle_add_full (G_PRIORITY_DEFAULT, emit_finished_if_empty, g_object_ref (self),
                       g_object_unref);
      return;
    }
  for (guint i = 0; i < self->jobs->len; i++)
    start_job (self, self->jobs->pdata[i]);
}

void
tessera_saver_cancel (TesseraSaver *self)
{
  g_return_if_fail (TESSERA_IS_SAVER (self));

  g_cancellable_cancel (self->cancellable);
  /* A cancelled download is never delivered: its item ends here. */
  for (guint i = 0; i < self->jobs->len; i++)
    {
      SaveJob *job = self->jobs->pdata[i];

      if (job->request == NULL)
        continue;
      tessera_request_cancel (job->request);
      g_clear_pointer (&job->request, tessera_request_unref);
      finish_job (job);
    }
}

guint
tessera_saver_get_n_items (TesseraSaver *self)
{
  g_return_val_if_fail (TESSERA_IS_SAVER (self), 0);
  return self->jobs->len;
}

guint
tessera_saver_get_n_done (TesseraSaver *self)
{
  g_return_val_if_fail (TESSERA_IS_SAVER (self), 0);
  return self->n_done;
}

guint
tessera_saver_get_n_saved (TesseraSaver *self)
{
  g_return_val_if_fail (TESSERA_IS_SAVER (self), 0);
  return self->saved_names->len;
}

GPtrArray *
tessera_saver_get_failures (TesseraSaver *self)
{
  g_return_val_if_fail (TESSERA_IS_SAVER (self), NULL);
  return self->failures;
}

GPtrArray *
tessera_saver_get_saved_names (TesseraSaver *self)
{
  g_return_val_if_fail (TESSERA_IS_SAVER (self), NULL);
  return self->saved_names;
}

const char *
tessera_saver_get_dir (TesseraSaver *self)
{
  g_return_val_if_fail (TESSERA_IS_SAVER (self), NULL);
  return self->dir;
}

gboolean
tessera_saver_is_finished (TesseraSaver *self)
{
  g_return_val_if_fail (TESSERA_IS_SAVER (self), FALSE);
  return self->started && self->n_done == self->jobs->len;
}

static void
tessera_saver_finalize (GObject *object)
{
  TesseraSaver *self = TESSERA_SAVER (object);

  g_cancellable_cancel (self->cancellable);
  g_thread_pool_free (self->writer, TRUE, TRUE);
  g_ptr_array_unref (self->jobs);
  g_ptr_array_unref (self->failures);
  g_ptr_array_unref (self->saved_names);
  g_object_unref (self->cancellable);
  g_object_unref (self->loader);
  g_main_context_unref (self->context);
  g_free (self->dir);

  G_OBJECT_CLASS (tessera_saver_parent_class)->finalize (object);
}

static void
tessera_saver_class_init (TesseraSaverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tessera_saver_finalize;

  /* One more item saved or failed. */
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Every item is saved or failed. */
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tessera_saver_init (TesseraSaver *self)
{
  g_autoptr (GError) error = NULL;

  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->jobs = g_ptr_array_new_with_free_func (save_job_free);
  self->failures = g_ptr_array_new_with_free_func (g_free);
  self->saved_names = g_ptr_array_new_with_free_func (g_free);
  self->writer = g_thread_pool_new (write_job, self, 1, FALSE, &error);
  if (self->writer == NULL)
    g_error ("Could not start the writer: %s", error->message);
}

TesseraSaver *
tessera_saver_new (TesseraLoader *loader, const char *dir)
{
  TesseraSaver *self;

  g_return_val_if_fail (TESSERA_IS_LOADER (loader), NULL);
  g_return_val_if_fail (dir != NULL, NULL);

  self = g_object_new (TESSERA_TYPE_SAVER, NULL);
  self->loader = g_object_ref (loader);
  self->dir = g_strdup (dir);
  return self;
}
