/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-queue.c: a balanced tree of waiting items; the focus is read when one is taken */

#define G_LOG_DOMAIN "tessera-queue"

#include "config.h"

#include "tessera-queue.h"

typedef struct
{
  int priority;
  guint64 sequence;
} QueueKey;

struct _TesseraQueue
{
  GMutex lock;
  GTree *items; /* QueueKey -> item, ordered by priority, then sequence */
  GDestroyNotify free_item;
  int focus_first;
  int focus_last;
  int focus_span;
};

static int
compare_keys (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const QueueKey *first = a;
  const QueueKey *second = b;

  if (first->priority != second->priority)
    return first->priority < second->priority ? -1 : 1;
  return (first->sequence > second->sequence) - (first->sequence < second->sequence);
}

static int
priority_of (GTreeNode *node)
{
  return ((const QueueKey *) g_tree_node_key (node))->priority;
}

TesseraQueue *
tessera_queue_new (GDestroyNotify free_item)
{
  TesseraQueue *queue = g_new0 (TesseraQueue, 1);

  g_mutex_init (&queue->lock);
  queue->items = g_tree_new_full (compare_keys, NULL, g_free, NULL);
  queue->free_item = free_item;
  return queue;
}

static gboolean
free_one (gpointer key, gpointer item, gpointer user_data)
{
  GDestroyNotify free_item = user_data;

  free_item (item);
  return FALSE;
}

void
tessera_queue_free (TesseraQueue *queue)
{
  g_return_if_fail (queue != NULL);

  if (queue->free_item != NULL)
    g_tree_foreach (queue->items, free_one, queue->free_item);
  g_tree_destroy (queue->items);
  g_mutex_clear (&queue->lock);
  g_free (queue);
}

void
tessera_queue_push (TesseraQueue *queue, int priority, guint64 sequence, gpointer item)
{
  QueueKey *key;

  g_return_if_fail (queue != NULL);
  g_return_if_fail (item != NULL);

  key = g_new (QueueKey, 1);
  *key = (QueueKey){ priority, sequence };
  g_mutex_lock (&queue->lock);
  g_tree_insert (queue->items, key, item);
  g_mutex_unlock (&queue->lock);
}

/* Call with the lock held: takes the item at @node out of the tree. */
static gpointer
take_node (TesseraQueue *queue, GTreeNode *node)
{
  gpointer item = g_tree_node_value (node);

  g_tree_remove (queue->items, g_tree_node_key (node));
  return item;
}

gpointer
tessera_queue_remove (TesseraQueue *queue, int priority, guint64 sequence)
{
  QueueKey key = { priority, sequence };
  GTreeNode *node;
  gpointer item = NULL;

  g_return_val_if_fail (queue != NULL, NULL);

  g_mutex_lock (&queue->lock);
  node = g_tree_lookup_node (queue->items, &key);
  if (node != NULL)
    item = take_node (queue, node);
  g_mutex_unlock (&queue->lock);
  return item;
}

/* Call with the lock held: the node of the first item waiting in view (the focus, then
 * the next screen, then the screen above), or NULL; @below is the first at or after the
 * focus. */
static GTreeNode *
view_node (TesseraQueue *queue, GTreeNode *below, GTreeNode **above)
{
  gint64 first = queue->focus_first;
  gint64 last = queue->focus_last;
  gint64 span = queue->focus_span;

  /* Inside the focus, else the nearest below it while within the next screen. */
  if (below != NULL && priority_of (below) <= last + span)
    return below;
  /* The last before the focus: the nearest above it, never urgent. */
  *above = below != NULL ? g_tree_node_previous (below) : g_tree_node_last (queue->items);
  if (*above != NULL && priority_of (*above) < 0)
    *above = NULL;
  if (*above != NULL && priority_of (*above) >= first - span)
    return *above;
  return NULL;
}

/* Call with the lock held: the node of the best-ranked item (see the header), or NULL. */
static GTreeNode *
best_node (TesseraQueue *queue)
{
  GTreeNode *lowest = g_tree_node_first (queue->items);
  QueueKey urgent_start = { TESSERA_QUEUE_AFTER_VIEW_MAX + 1, 0 };
  QueueKey focus_start = { queue->focus_first, 0 };
  GTreeNode *urgent;
  GTreeNode *below;
  GTreeNode *above = NULL;
  GTreeNode *in_view;

  if (lowest == NULL)
    return NULL;
  urgent = g_tree_lower_bound (queue->items, &urgent_start);
  if (urgent != NULL && priority_of (urgent) < 0)
    return urgent;

  below = g_tree_lower_bound (queue->items, &focus_start);
  if ((in_view = view_node (queue, below, &above)) != NULL)
    return in_view;
  /* What was asked for after the view. */
  if (priority_of (lowest) < 0)
    return lowest;

  if (below == NULL || above == NULL)
    return below != NULL ? below : above;
  return priority_of (below) - queue->focus_last <= queue->focus_first - priority_of (above)
             ? below
             : above;
}

/* Call with the lock held: whether @node is urgent, on screen or on the next screen. */
static gboolean
is_in_view (TesseraQueue *queue, GTreeNode *node)
{
  int priority = priority_of (node);

  return (priority < 0 && priority > TESSERA_QUEUE_AFTER_VIEW_MAX)
         || (priority >= queue->focus_first
             && (gint64) priority <= (gint64) queue->focus_last + queue->focus_span);
}

static gpointer
pop_best (TesseraQueue *queue, gboolean in_view_only, TesseraQueueAccept accept, gpointer user_data)
{
  QueueKey *declined_keys[TESSERA_QUEUE_LOOKAHEAD];
  gpointer declined_items[TESSERA_QUEUE_LOOKAHEAD];
  guint n_declined = 0;
  gpointer item = NULL;

  g_mutex_lock (&queue->lock);
  /* A declined item is set aside so that the next best is found the usual way. */
  while (item == NULL && n_declined < TESSERA_QUEUE_LOOKAHEAD)
    {
      GTreeNode *node = best_node (queue);

      if (node == NULL || (in_view_only && !is_in_view (queue, node)))
        break;
      if (accept == NULL || accept (g_tree_node_value (node), user_data))
        {
          item = take_node (queue, node);
          break;
        }
      declined_keys[n_declined] = g_tree_node_key (node);
      declined_items[n_declined] = g_tree_node_value (node);
      g_tree_steal (queue->items, declined_keys[n_declined]);
      n_declined++;
    }
  for (guint i = 0; i < n_declined; i++)
    g_tree_insert (queue->items, declined_keys[i], declined_items[i]);
  g_mutex_unlock (&queue->lock);
  return item;
}

gpointer
tessera_queue_pop (TesseraQueue *queue, TesseraQueueAccept accept, gpointer user_data)
{
  g_return_val_if_fail (queue != NULL, NULL);

  return pop_best (queue, FALSE, accept, user_data);
}

gpointer
tessera_queue_pop_in_view (TesseraQueue *queue, TesseraQueueAccept accept, gpointer user_data)
{
  g_return_val_if_fail (queue != NULL, NULL);

  return pop_best (queue, TRUE, accept, user_data);
}

void
tessera_queue_set_focus (TesseraQueue *queue, int first, int last, int span)
{
  g_return_if_fail (queue != NULL);
  g_return_if_fail (first >= 0 && first <= last && span >= 0);

  g_mutex_lock (&queue->lock);
  queue->focus_first = first;
  queue->focus_last = last;
  queue->focus_span = span;
  g_mutex_unlock (&queue->lock);
}

guint
tessera_queue_get_length (TesseraQueue *queue)
{
  guint length;

  g_return_val_if_fail (queue != NULL, 0);

  g_mutex_lock (&queue->lock);
  length = (guint) g_tree_nnodes (queue->items);
  g_mutex_unlock (&queue->lock);
  return length;
}
