/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-tile.c */

#define G_LOG_DOMAIN "tessera-tile"

#include "config.h"

#include "tessera-tile.h"

struct _TesseraTile
{
  GObject parent_instance;

  char *uri;
  TesseraTileKind kind;
  char *id;
  char *title;
  char *link;
  guint n_images;
  gboolean promoted;
  gboolean original_kept;
  TesseraTileState state;
  GdkTexture *texture;
  char *reason;
  char *detail;
  gint64 done_ms;
  guint picture_px; /* the width of the last picture, kept when it is dropped */
};

G_DEFINE_FINAL_TYPE (TesseraTile, tessera_tile, G_TYPE_OBJECT)
enum
{
  PROP_0,
  PROP_URI,
  PROP_STATE,
  PROP_TEXTURE,
  PROP_REASON,
  PROP_DETAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tessera_tile_finalize (GObject *object)
{
  TesseraTile *self = TESSERA_TILE (object);

  g_free (self->uri);
  g_free (self->id);
  g_free (self->title);
  g_free (self->link);
  g_clear_object (&self->texture);
  g_free (self->reason);
  g_free (self->detail);

  G_OBJECT_CLASS (tessera_tile_parent_class)->finalize (object);
}

static void
tessera_tile_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TesseraTile *self = TESSERA_TILE (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_TEXTURE:
      g_value_set_object (value, self->texture);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_tile_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TesseraTile *self = TESSERA_TILE (object);

  switch (prop_id)
    {
    case PROP_URI:
      self->uri = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_tile_class_init (TesseraTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags read_only = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tessera_tile_finalize;
  object_class->get_property = tessera_tile_get_property;
  object_class->set_property = tessera_tile_set_property;

  properties[PROP_URI] = g_param_spec_string (
      "uri", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, TESSERA_TYPE_TILE_STATE,
                                              TESSERA_TILE_WAITING, read_only);
  properties[PROP_TEXTURE]
      = g_param_spec_object ("texture", NULL, NULL, GDK_TYPE_TEXTURE, read_only);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL, read_only);
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, read_only);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_tile_init (TesseraTile *self)
{
  self->done_ms = -1;
}

TesseraTile *
tessera_tile_new (const char *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return g_object_new (TESSERA_TYPE_TILE, "uri", uri, NULL);
}

TesseraTile *
tessera_tile_new_for_post (const char *uri, const TesseraTilePost *post)
{
  TesseraTile *self;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (post != NULL, NULL);

  self = tessera_tile_new (uri);
  self->kind = post->kind;
  self->id = g_strdup (post->id);
  self->title = g_strdup (post->title);
  self->link = g_strdup (post->link);
  self->n_images = post->n_images;
  self->promoted = post->promoted;
  return self;
}

TesseraTileKind
tessera_tile_get_kind (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), TESSERA_TILE_PICTURE);
  return self->kind;
}

const char *
tessera_tile_get_id (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), NULL);
  return self->id;
}

const char *
tessera_tile_get_title (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), NULL);
  return self->title;
}

const char *
tessera_tile_get_link (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), NULL);
  return self->link;
}

guint
tessera_tile_get_n_images (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), 0);
  return self->n_images;
}

gboolean
tessera_tile_get_promoted (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), FALSE);
  return self->promoted;
}

gboolean
tessera_tile_get_original_kept (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), FALSE);
  return self->original_kept;
}

void
tessera_tile_set_original_kept (TesseraTile *self, gboolean kept)
{
  g_return_if_fail (TESSERA_IS_TILE (self));
  self->original_kept = kept;
}

const char *
tessera_tile_get_uri (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), NULL);
  return self->uri;
}

TesseraTileState
tessera_tile_get_state (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), TESSERA_TILE_WAITING);
  return self->state;
}

GdkTexture *
tessera_tile_get_texture (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), NULL);
  return self->texture;
}

const char *
tessera_tile_get_reason (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), NULL);
  return self->reason;
}

const char *
tessera_tile_get_detail (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), NULL);
  return self->detail;
}

guint
tessera_tile_get_picture_px (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), 0);
  return self->picture_px;
}

gint64
tessera_tile_get_done_ms (TesseraTile *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE (self), -1);
  return self->done_ms;
}

void
tessera_tile_set_loaded (TesseraTile *self, GdkTexture *texture, gint64 done_ms)
{
  g_return_if_fail (TESSERA_IS_TILE (self));
  g_return_if_fail (GDK_IS_TEXTURE (texture));

  g_set_object (&self->texture, texture);
  self->picture_px = (guint) gdk_texture_get_width (texture);
  self->state = TESSERA_TILE_LOADED;
  self->done_ms = done_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTURE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
tessera_tile_set_texture (TesseraTile *self, GdkTexture *texture)
{
  g_return_if_fail (TESSERA_IS_TILE (self));
  g_return_if_fail (self->state == TESSERA_TILE_LOADED);
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  if (g_set_object (&self->texture, texture))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTURE]);
}

void
tessera_tile_set_failed (TesseraTile *self, const char *reason, const char *detail, gint64 done_ms)
{
  g_return_if_fail (TESSERA_IS_TILE (self));
  g_return_if_fail (reason != NULL);

  g_free (self->reason);
  self->reason = g_strdup (reason);
  g_free (self->detail);
  self->detail = g_strdup (detail);
  self->state = TESSERA_TILE_FAILED;
  self->done_ms = done_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
tessera_tile_set_waiting (TesseraTile *self)
{
  g_return_if_fail (TESSERA_IS_TILE (self));

  g_clear_pointer (&self->reason, g_free);
  g_clear_pointer (&self->detail, g_free);
  self->state = TESSERA_TILE_WAITING;
  self->done_ms = -1;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

const char *
tessera_tile_state_to_string (TesseraTileState state)
{
  GEnumClass *enum_class = g_type_class_ref (TESSERA_TYPE_TILE_STATE);
  GEnumValue *value = g_enum_get_value (enum_class, state);

  g_type_class_unref (enum_class);
  return value != NULL ? value->value_nick : "unknown";
}
