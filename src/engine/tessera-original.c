/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-original.c: a data request whose answer is a whole picture, decoded on the worker */

#define G_LOG_DOMAIN "tessera-original"

#include "config.h"

#include "tessera-image-private.h"
#include "tessera-original.h"

/* Before every thumbnail still waiting: a person asked for this one. */
#define ORIGINAL_PRIORITY (-1)

/* Worker: the answer is always a 200 here (an image data request); decode it whole. */
static gpointer
decode_answer (const TesseraResponse *response, gpointer parse_data, GError **error)
{
  return tessera_image_decode_full (response->body, error);
}

/* The task of one decode, answered by the delivery or, when the request goes undelivered
 * (the loader dropped), as cancelled once the request lets go of it. */
typedef struct
{
  GTask *task;
  gboolean answered;
} OriginalDecode;

static void
on_original_delivered (const TesseraLoadResult *result, gpointer user_data)
{
  OriginalDecode *decode = user_data;

  decode->answered = TRUE;
  if (g_task_return_error_if_cancelled (decode->task))
    return;
  if (result->data == NULL)
    g_task_return_error (decode->task, g_error_copy (result->error));
  else
    g_task_return_pointer (decode->task, g_object_ref (result->data), g_object_unref);
}

static void
original_decode_free (gpointer data)
{
  OriginalDecode *decode = data;

  if (!decode->answered)
    g_task_return_new_error (decode->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  g_object_unref (decode->task);
  g_free (decode);
}

void
tessera_original_decode_async (TesseraLoader *loader, const char *uri, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (TesseraRequest) request = NULL;
  OriginalDecode *decode;
  TesseraDataJob job = {
    .parse = decode_answer,
    .payload_free = g_object_unref,
    .cache_mode = TESSERA_CACHE_MODE_KEPT,
  };

  g_return_if_fail (TESSERA_IS_LOADER (loader));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_original_decode_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  decode = g_new0 (OriginalDecode, 1);
  decode->task = g_steal_pointer (&task);
  request = tessera_loader_submit_data (loader, uri, ORIGINAL_PRIORITY, &job, on_original_delivered,
                                        decode, original_decode_free);
}

GdkTexture *
tessera_original_decode_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_original_decode_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
