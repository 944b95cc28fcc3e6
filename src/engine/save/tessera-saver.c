/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-saver.c: originals from the loader's workers (or from disk) to one writer thread */

#define G_LOG_DOMAIN "tessera-saver"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-save-name.h"
#include "tessera-save.h"
#include "tessera-queue.h"
#include "tessera-saver.h"
#include "tessera-util.h"

/* Saving goes after the thumbnails in view (and the next screen), before the rest still
 * queued: a save of thousands must not leave the screen blank meanwhile. */
#define SAVE_PRIORITY (G_MININT + 1)
G_STATIC_ASSERT (SAVE_PRIORITY <= TESSERA_QUEUE_AFTER_VIEW_MAX);

/* An MP4 (ISO base media) file opens with its "ftyp" box: a 32-bit big-endian size, the
 * type, the major brand, a minor version, then compatible brands of 4 bytes each. */
#define MP4_EXTENSION     "mp4"
#define MP4_BOX_TYPE_POS  4
#define MP4_BRAND_POS     8
#define MP4_FTYP_MIN_SIZE 16
#define MP4_BRAND_LEN     4
#define MP4_BOX_TYPE      "ftyp"

/* A folder made for a save (tessera_saver_set_make_folder): the umask decides, as for any
 * folder a command makes. */
#define SAVE_FOLDER_MODE 0777

struct _TesseraSaver
{
  GObject parent_instance;

  TesseraLoader *loader;
  GThreadPool *writer; /* one thread: names are claimed in order */
  gboolean make_folder;
};

G_DEFINE_FINAL_TYPE (TesseraSaver, tessera_saver, G_TYPE_OBJECT)

enum
{
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What an item says when the disk filled up before its turn. */
#define NOT_TRIED_DISK_FULL N_ ("Not tried: the disk is full")

typedef struct _SaveRun SaveRun;

/* One item of a save. The writer thread fills @saved_name or @failure, then hands the job
 * back to the main thread; the job is not touched on two threads at once. */
typedef struct
{
  SaveRun *run;
  const TesseraSaveItem *item;
  guint number;            /* from 1, for names like "image-7" */
  TesseraRequest *request; /* while downloading */
  GBytes *bytes;           /* once downloaded, until the writer takes it */
  char *saved_name;
  char *failure;
} SaveJob;

/* One save: the GTask's data. */
struct _SaveRun
{
  TesseraSaver *saver;   /* the task's source object */
  GTask *task;           /* owned until the last job is over */
  GMainContext *context; /* where jobs are reported and the task returns */
  GCancellable *cancellable;
  GSource *cancel_watch;
  GPtrArray *items; /* (element-type TesseraSaveItem) */
  SaveJob *jobs;    /* one per item */
  guint n_done;
  gint disk_full; /* atomic: set by the writer when a write finds no space */
  gboolean make_folder;
  /* The writer's, read once every job is over: the folder is there or was made. */
  gboolean folder_ready;
  gboolean made_folder;
  TesseraSaveReport *report;
};

static void
save_report_clear (gpointer data)
{
  TesseraSaveReport *report = data;

  g_free (report->folder);
  g_ptr_array_unref (report->saved_names);
  g_ptr_array_unref (report->failures);
}

TesseraSaveReport *
tessera_save_report_ref (TesseraSaveReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return g_rc_box_acquire (report);
}

void
tessera_save_report_unref (TesseraSaveReport *report)
{
  g_return_if_fail (report != NULL);
  g_rc_box_release_full (report, save_report_clear);
}

static TesseraSaveReport *
save_report_new (const char *folder, guint n_items)
{
  TesseraSaveReport *report = g_rc_box_new0 (TesseraSaveReport);

  report->folder = g_strdup (folder);
  report->n_items = n_items;
  report->saved_names = g_ptr_array_new_with_free_func (g_free);
  report->failures = g_ptr_array_new_with_free_func (g_free);
  return report;
}

char *
tessera_save_report_summarize (const TesseraSaveReport *report, const char *folder_label)
{
  guint n_saved;

  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (folder_label != NULL, NULL);

  n_saved = report->saved_names->len;
  /* What was not saved was not tried: it did not fail. */
  if (report->cancelled)
    return g_strdup_printf (_ ("Cancelled · saved %u of %u"), n_saved, report->n_items);
  if (report->disk_full)
    return g_strdup_printf (_ ("The disk is full · saved %u of %u"), n_saved, report->n_items);
  if (report->failures->len == 0)
    return g_strdup_printf (ngettext ("Saved %u image to %s", "Saved %u images to %s", n_saved),
                            n_saved, folder_label);
  return g_strdup_printf (_ ("Saved %u of %u · %u failed"), n_saved, report->n_items,
                          report->failures->len);
}

static void
save_run_free (gpointer data)
{
  SaveRun *run = data;

  g_assert (run->task == NULL && run->cancel_watch == NULL);

  for (guint i = 0; i < run->items->len; i++)
    {
      SaveJob *job = &run->jobs[i];

      g_clear_pointer (&job->request, tessera_request_unref);
      g_clear_pointer (&job->bytes, g_bytes_unref);
      g_free (job->saved_name);
      g_free (job->failure);
    }
  g_free (run->jobs);
  g_ptr_array_unref (run->items);
  g_clear_object (&run->cancellable);
  tessera_save_report_unref (run->report);
  g_main_context_unref (run->context);
  g_free (run);
  /* What the save held (every original it wrote went through here) is given back. */
  tessera_engine_release_memory ();
}

/* Main thread: every job is over. */
static void
complete (SaveRun *run)
{
  g_autoptr (GTask) task = g_steal_pointer (&run->task);

  if (run->cancel_watch != NULL)
    {
      g_source_destroy (run->cancel_watch);
      g_clear_pointer (&run->cancel_watch, g_source_unref);
    }
  run->report->cancelled = g_cancellable_is_cancelled (g_task_get_cancellable (task));
  run->report->disk_full = g_atomic_int_get (&run->disk_full);
  run->report->made_folder = run->made_folder;
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

static void finish_job (SaveJob *job);

/* Main thread: the downloads still under way end, as failures saying @failure (a
 * cancelled download is never delivered, so its item ends here). The caller holds a
 * reference to the run's task: the last job to end completes the run. */
static void
end_downloads (SaveRun *run, const char *failure)
{
  for (guint i = 0; i < run->items->len; i++)
    {
      SaveJob *job = &run->jobs[i];

      if (job->request == NULL)
        continue;
      tessera_request_cancel (job->request);
      g_clear_pointer (&job->request, tessera_request_unref);
      job->failure = g_strdup (failure);
      finish_job (job);
    }
}

/* Main thread: one item is over, saved or not. May complete the run, and so free it. */
static void
finish_job (SaveJob *job)
{
  SaveRun *run = job->run;
  TesseraSaveReport *report = run->report;

  TESSERA_ASSERT_MAIN_THREAD ();

  run->n_done++;
  if (job->saved_name != NULL)
    g_ptr_array_add (report->saved_names, g_steal_pointer (&job->saved_name));
  else
    g_ptr_array_add (report->failures,
                     g_strdup_printf ("%s: %s", job->item->uri ? job->item->uri : job->item->path,
                                      job->failure));
  g_signal_emit (run->saver, signals[SIGNAL_PROGRESS], 0, run->n_done, report->n_items);
  if (run->n_done == report->n_items)
    complete (run);
}

static gboolean
report_job (gpointer data)
{
  SaveJob *job = data;
  SaveRun *run = job->run;
  /* The run lives as long as its task: past the last job's report too. */
  g_autoptr (GTask) task = g_object_ref (run->task);

  finish_job (job);
  /* No space left: waiting for the downloads would only make more of the same failure. */
  if (g_atomic_int_get (&run->disk_full))
    end_downloads (run, _ (NOT_TRIED_DISK_FULL));
  return G_SOURCE_REMOVE;
}

/* From any thread: @job is over, said from the run's main loop. (Not
 * g_main_context_invoke: from the writer it could run the report right there.) */
static void
report_later (SaveJob *job)
{
  g_autoptr (GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, report_job, job, NULL);
  g_source_attach (source, job->run->context);
}

/* What a failed item's line says: the reason, or for a cancel the one short label. */
static char *
failure_text (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (tessera_error_label (error));
  return g_strdup (error->message);
}

/* Writer thread: @texture as PNG, or NULL with @error. */
static GBytes *
encode_png (GdkTexture *texture, GError **error)
{
  /* Textures are immutable, so encoding one off the main thread is safe. */
  GBytes *png = gdk_texture_save_to_png_bytes (texture);

  if (png == NULL)
    g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_FILE,
                         _ ("The thumbnail could not be encoded"));
  return png;
}

/* Writer thread: what to write, from @downloaded (a reference is taken; NULL: none), or
 * NULL with @error. */
static GBytes *
original_bytes (SaveJob *job, GBytes *downloaded, GError **error)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GdkTexture) thumbnail = NULL;

  if (g_cancellable_set_error_if_cancelled (job->run->cancellable, error))
    return NULL;
  if (job->item->texture != NULL)
    return encode_png (job->item->texture, error);
  if (downloaded != NULL)
    bytes = g_bytes_ref (downloaded);
  else
    /* The same bound as a download: a local file is read whole, so it must fit. */
    bytes = tessera_read_file_bounded (job->item->path,
                                       tessera_loader_get_max_bytes (job->run->saver->loader),
                                       job->run->cancellable, error);
  if (bytes == NULL || job->item->thumbnail_px == 0)
    return g_steal_pointer (&bytes);
  /* A thumbnail whose picture was dropped: made again as the gallery made it. */
  thumbnail = tessera_image_decode_tile (bytes, job->item->thumbnail_px, NULL, error);
  return thumbnail != NULL ? encode_png (thumbnail, error) : NULL;
}

/* Whether @data opens with the "ftyp" box of an MP4 video (not of HEIF or AVIF pictures,
 * which use the same box with other brands). */
static gboolean
is_mp4 (const guint8 *data, gsize len)
{
  /* The major brands of MP4 video files, as players write them. */
  static const char *const brands[]
      = { "isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "dash", "mmp4" };
  guint32 size;

  if (len < MP4_FTYP_MIN_SIZE
      || memcmp (data + MP4_BOX_TYPE_POS, MP4_BOX_TYPE, strlen (MP4_BOX_TYPE)) != 0)
    return FALSE;
  size = ((guint32) data[0] << 24) | ((guint32) data[1] << 16) | ((guint32) data[2] << 8) | data[3];
  if (size < MP4_FTYP_MIN_SIZE || size % MP4_BRAND_LEN != 0)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (brands); i++)
    if (memcmp (data + MP4_BRAND_POS, brands[i], MP4_BRAND_LEN) == 0)
      return TRUE;
  return FALSE;
}

/* The extension the bytes call for: an image format's, "mp4" for an MP4 video; NULL for
 * anything else. */
static const char *
sniff_extension (const guint8 *data, gsize len)
{
  TesseraImageFormat format = tessera_image_sniff (data, len);

  if (format != TESSERA_IMAGE_FORMAT_UNKNOWN)
    return tessera_image_format_extension (format);
  return is_mp4 (data, len) ? MP4_EXTENSION : NULL;
}

/* Whether @uri names an .mp4 file (an Imgur video post's link): only then is a video taken
 * for the original. */
static gboolean
names_mp4 (const char *uri)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  const char *path = parsed != NULL ? g_uri_get_path (parsed) : NULL;
  const char *dot = path != NULL ? strrchr (path, '.') : NULL;

  return dot != NULL && strchr (dot, '/') == NULL
         && g_ascii_strcasecmp (dot + 1, MP4_EXTENSION) == 0;
}

static char *
name_for (SaveJob *job, const char *extension)
{
  const TesseraSaveItem *item = job->item;
  g_autofree char *uri = NULL;

  if (item->id != NULL)
    return tessera_save_name_for_post (item->title, item->id, extension);
  uri = item->uri ? g_strdup (item->uri) : g_filename_to_uri (item->path, NULL, NULL);
  return tessera_save_name_for_url (uri ? uri : "", extension, job->number);
}

/* Writer thread: the saved name, relative to the save's folder, or NULL with @error. */
static char *
write_bytes (SaveJob *job, GBytes *bytes, GError **error)
{
  const char *folder = job->run->report->folder;
  const char *subfolder = job->item->folder;
  gsize len = 0;
  const guint8 *head = g_bytes_get_data (bytes, &len);
  g_autofree char *name = name_for (job, sniff_extension (head, len));
  g_autofree char *dir = NULL;
  g_autofree char *saved = NULL;

  if (subfolder == NULL)
    return tessera_save_write_unique (folder, name, bytes, job->run->cancellable, error);
  dir = tessera_save_make_folder (folder, subfolder, error);
  if (dir == NULL)
    return NULL;
  saved = tessera_save_write_unique (dir, name, bytes, job->run->cancellable, error);
  return saved ? g_build_filename (subfolder, saved, NULL) : NULL;
}

/* Writer thread, before a file is written: makes the save's folder when the save may and
 * it is missing (its parent must be there). Not sooner, so that a save that writes nothing
 * leaves no empty folder behind. */
static gboolean
ensure_folder (SaveRun *run, GError **error)
{
  const char *folder = run->report->folder;
  int saved_errno;

  if (!run->make_folder || run->folder_ready)
    return TRUE;
  if (g_mkdir (folder, SAVE_FOLDER_MODE) == 0)
    run->made_folder = TRUE;
  else if ((saved_errno = errno) != EEXIST)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_FILE, _ ("Could not create folder “%s”: %s"),
                   folder, g_strerror (saved_errno));
      return FALSE;
    }
  run->folder_ready = TRUE;
  return TRUE;
}

/* Writer thread: writes @job, or says why not. Once the disk is full, the rest is not even
 * tried: each would fail the same way, after the same wait for its download. */
static void
write_one (SaveJob *job, GBytes *downloaded)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (g_atomic_int_get (&job->run->disk_full))
    {
      job->failure = g_strdup (_ (NOT_TRIED_DISK_FULL));
      return;
    }
  if ((bytes = original_bytes (job, downloaded, &error)) != NULL
      && ensure_folder (job->run, &error))
    job->saved_name = write_bytes (job, bytes, &error);
  if (job->saved_name == NULL)
    job->failure = failure_text (error);
  if (g_error_matches (error, TESSERA_ERROR, TESSERA_ERROR_DISK_FULL))
    g_atomic_int_set (&job->run->disk_full, TRUE);
}

/* Writer thread. The job's bytes are let go here, once written, not kept with the job until
 * the whole save is over: a save of thousands held every one of them at once. */
static void
write_job (gpointer data, gpointer user_data)
{
  SaveJob *job = data;
  g_autoptr (GBytes) downloaded = g_steal_pointer (&job->bytes);

  write_one (job, downloaded);
  /* Freed before the report, so all of a save's bytes are gone when it completes. */
  g_clear_pointer (&downloaded, g_bytes_unref);
  report_later (job);
}

/* Worker: a download counts when it is a 2xx image, whole and within the limits, or an MP4
 * where a video is expected (@parse_data non-zero); the saver keeps its bytes as sent. */
static gpointer
keep_original (const TesseraResponse *response, gpointer parse_data, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (response->body, &len);
  gboolean video_expected = GPOINTER_TO_UINT (parse_data);

  if (response->status < 200 || response->status >= 300)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_HTTP,
                   _ ("The server answered with status %ld"), response->status);
      return NULL;
    }
  if (tessera_image_sniff (data, len) == TESSERA_IMAGE_FORMAT_UNKNOWN)
    {
      if (video_expected && is_mp4 (data, len))
        return g_bytes_ref (response->body);
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_NOT_IMAGE,
                           video_expected ? _ ("Not a video") : _ ("Not an image"));
      return NULL;
    }
  /* What the gallery would call cut short or too large is not saved as if it were whole. */
  if (!tessera_image_check_original (data, len, error))
    return NULL;
  return g_bytes_ref (response->body);
}

/* Hands @job to the writer thread. The pool is exclusive, so its thread already runs and a
 * push cannot fail; were it ever to, the job is still queued (GLib keeps it), so only say so. */
static void
queue_write (SaveJob *job)
{
  g_autoptr (GError) error = NULL;

  if (!g_thread_pool_push (job->run->saver->writer, job, &error))
    g_warning ("The writer thread could not be started: %s", error->message);
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
  queue_write (job);
}

static void
start_job (SaveJob *job)
{
  const TesseraSaveItem *item = job->item;
  TesseraSaver *saver = job->run->saver;
  /* The bytes the gallery showed, from the cache, else a download (kept for next time). */
  TesseraDataJob download = {
    .parse = keep_original,
    /* Whether a video is expected: a flag, nothing to free. */
    .parse_data = GUINT_TO_POINTER (item->uri != NULL && names_mp4 (item->uri)),
    .payload_free = (GDestroyNotify) g_bytes_unref,
    .cache_mode = TESSERA_CACHE_MODE_KEPT,
  };

  if (item->failure != NULL)
    {
      job->failure = g_strdup (item->failure);
      report_later (job);
    }
  else if (item->path != NULL || item->texture != NULL)
    queue_write (job);
  else
    job->request = tessera_loader_submit_data (saver->loader, item->uri, SAVE_PRIORITY, &download,
                                               on_downloaded, job, NULL);
}

/* Main thread, from the run's main loop once @cancellable is cancelled. Jobs with the
 * writer find the cancellable set there. */
static gboolean
on_cancelled (GCancellable *cancellable, gpointer data)
{
  SaveRun *run = data;
  /* The last job to end completes the run, which would free it under this loop. */
  g_autoptr (GTask) task = g_object_ref (run->task);
  g_autoptr (GError) cancelled = NULL;
  g_autofree char *text = NULL;
  /* Always TRUE: this source fires once @cancellable is cancelled. */
  gboolean is_cancelled = g_cancellable_set_error_if_cancelled (cancellable, &cancelled);

  g_assert (is_cancelled);
  text = failure_text (cancelled);
  end_downloads (run, text);
  return G_SOURCE_REMOVE;
}

static void
watch_cancellable (SaveRun *run)
{
  if (run->cancellable == NULL)
    return;
  run->cancel_watch = g_cancellable_source_new (run->cancellable);
  g_source_set_callback (run->cancel_watch, G_SOURCE_FUNC (on_cancelled), run, NULL);
  g_source_attach (run->cancel_watch, run->context);
}

static gboolean
item_is_valid (const TesseraSaveItem *item)
{
  return item != NULL && (item->uri != NULL || item->path != NULL)
         && (item->texture == NULL || GDK_IS_TEXTURE (item->texture))
         && (item->folder == NULL || (*item->folder != '\0' && strchr (item->folder, '/') == NULL));
}

static gboolean
items_are_valid (GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    if (!item_is_valid (items->pdata[i]))
      return FALSE;
  return TRUE;
}

void
tessera_saver_save_async (TesseraSaver *self, GPtrArray *items, const char *folder,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  SaveRun *run;

  g_return_if_fail (TESSERA_IS_SAVER (self));
  g_return_if_fail (items != NULL && items_are_valid (items));
  g_return_if_fail (folder != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  TESSERA_ASSERT_MAIN_THREAD ();

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_saver_save_async);
  run = g_new0 (SaveRun, 1);
  run->saver = self;
  run->make_folder = self->make_folder;
  run->context = g_main_context_ref_thread_default ();
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  run->items = g_ptr_array_ref (items);
  run->jobs = g_new0 (SaveJob, items->len);
  run->report = save_report_new (folder, items->len);
  g_task_set_task_data (task, run, save_run_free);
  if (items->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Jobs point at the run: it stays until the last one is over. */
  run->task = g_steal_pointer (&task);
  watch_cancellable (run);
  for (guint i = 0; i < items->len; i++)
    {
      SaveJob *job = &run->jobs[i];

      job->run = run;
      job->item = items->pdata[i];
      job->number = i + 1;
      start_job (job);
    }
}

gboolean
tessera_saver_save_finish (TesseraSaver *self, GAsyncResult *result, TesseraSaveReport **report,
                           GError **error)
{
  SaveRun *run;

  g_return_val_if_fail (TESSERA_IS_SAVER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_saver_save_async, FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = tessera_save_report_ref (run->report);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tessera_saver_set_make_folder (TesseraSaver *self, gboolean make_folder)
{
  g_return_if_fail (TESSERA_IS_SAVER (self));

  self->make_folder = make_folder;
}

static void
tessera_saver_finalize (GObject *object)
{
  TesseraSaver *self = TESSERA_SAVER (object);

  /* A save holds the saver (its task's source object) until its last write is over. */
  g_thread_pool_free (self->writer, FALSE, TRUE);
  g_object_unref (self->loader);

  G_OBJECT_CLASS (tessera_saver_parent_class)->finalize (object);
}

static void
tessera_saver_class_init (TesseraSaverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tessera_saver_finalize;

  /* One more item of a save is saved or has failed: (guint n_done, guint n_items). */
  signals[SIGNAL_PROGRESS]
      = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
tessera_saver_init (TesseraSaver *self)
{
  g_autoptr (GError) error = NULL;

  /* Exclusive: its one thread starts here, so a push never has to start one and cannot fail
   * (see queue_write). */
  self->writer = g_thread_pool_new (write_job, self, 1, TRUE, &error);
  if (self->writer == NULL)
    g_error ("Could not start the writer: %s", error->message);
}

TesseraSaver *
tessera_saver_new (TesseraLoader *loader)
{
  TesseraSaver *self;

  g_return_val_if_fail (TESSERA_IS_LOADER (loader), NULL);

  self = g_object_new (TESSERA_TYPE_SAVER, NULL);
  self->loader = g_object_ref (loader);
  return self;
}
