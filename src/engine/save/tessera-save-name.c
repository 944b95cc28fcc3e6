/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save-name.c: names that stay inside the chosen folder and show what they hold */

#define G_LOG_DOMAIN "tessera-save-name"

#include "config.h"

#include <string.h>

#include "tessera-save-name-private.h"
#include "tessera-util.h"

#define REPLACEMENT   '_'
/* Room kept for " (9999)" and an extension when a stem is cut. */
#define EXTENSION_MAX 8

/* Bidirectional marks, embeddings, overrides and isolates: "\u202Egnp.exe" would show as
 * "exe.png" in a file manager. */
static gboolean
is_bidi_control (gunichar c)
{
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E)
         || (c >= 0x2066 && c <= 0x2069);
}

static gboolean
is_unwanted (gunichar c)
{
  return c == '/' || c == '\\' || g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029
         || is_bidi_control (c);
}

/* Unwanted characters replaced, whitespace runs made one space. */
static GString *
clean_characters (const char *valid)
{
  GString *clean = g_string_new (NULL);
  gboolean after_space = FALSE;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) && !is_unwanted (c))
        {
          if (!after_space)
            g_string_append_c (clean, ' ');
          after_space = TRUE;
          continue;
        }
      after_space = FALSE;
      if (is_unwanted (c))
        g_string_append_c (clean, REPLACEMENT);
      else
        g_string_append_unichar (clean, c);
    }
  return clean;
}

/* Valid UTF-8 of @len bytes; a NUL (from "%00") is a control character like any other,
 * not the end of the text. */
static char *
make_valid (const char *text, gssize len)
{
  g_autofree char *copy = NULL;
  gsize size = len < 0 ? strlen (text) : (gsize) len;

  /* Not g_strndup: it would stop at the first NUL. */
  copy = g_malloc (size + 1);
  memcpy (copy, text, size);
  copy[size] = '\0';
  for (gsize i = 0; i < size; i++)
    if (copy[i] == '\0')
      copy[i] = REPLACEMENT;
  return g_utf8_make_valid (copy, (gssize) size);
}

static gboolean
is_usable (const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    if (*p != '.' && *p != ' ' && *p != REPLACEMENT)
      return TRUE;
  return FALSE;
}

char *
tessera_save_name_sanitize (const char *text, gssize len)
{
  g_autofree char *valid = NULL;
  g_autoptr (GString) clean = NULL;
  gsize start = 0;
  gsize end;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  valid = make_valid (text != NULL ? text : "", text != NULL ? len : 0);
  clean = clean_characters (valid);

  /* No leading dots or spaces (hidden files, ".."), no trailing ones. */
  while (start < clean->len && (clean->str[start] == '.' || clean->str[start] == ' '))
    start++;
  end = clean->len;
  while (end > start && (clean->str[end - 1] == '.' || clean->str[end - 1] == ' '))
    end--;
  g_string_truncate (clean, end);
  g_string_erase (clean, 0, (gssize) start);

  if (!is_usable (clean->str))
    return NULL;
  g_string_truncate (clean, tessera_utf8_prefix_len (clean->str, -1, TESSERA_SAVE_NAME_MAX));
  return g_string_free (g_steal_pointer (&clean), FALSE);
}

/* The extension of @name ("jpg"), or NULL; a leading dot does not start one. */
static const char *
find_extension (const char *name)
{
  const char *dot = strrchr (name, '.');

  return dot != NULL && dot != name && dot[1] != '\0' && strlen (dot + 1) <= EXTENSION_MAX ? dot + 1
                                                                                           : NULL;
}

/* The extension the saver gives a kind of file that @extension also names ("jpeg" → "jpg"),
 * or NULL when it names none the saver writes. */
static const char *
canonical_extension (const char *extension)
{
  static const struct
  {
    const char *extension;
    const char *canonical;
  } known[] = {
    { "jpg", "jpg" },
    { "jpeg", "jpg" },
    { "jpe", "jpg" },
    { "png", "png" },
    { "gif", "gif" },
    { "webp", "webp" },
    { "mp4", "mp4" },
    /* Imgur's page that plays an mp4: not a file of its own, but replaced like one */
    { "gifv", "gifv" },
  };

  for (gsize i = 0; extension != NULL && i < G_N_ELEMENTS (known); i++)
    if (g_ascii_strcasecmp (extension, known[i].extension) == 0)
      return known[i].canonical;
  return NULL;
}

/* @stem with ".@extension", the stem cut on a character boundary so the whole fits. */
static char *
join_within_limit (const char *stem, const char *extension)
{
  gsize room = TESSERA_SAVE_NAME_MAX - (extension ? strlen (extension) + 1 : 0);
  g_autofree char *cut = g_strndup (stem, tessera_utf8_prefix_len (stem, -1, room));

  return extension ? g_strconcat (cut, ".", extension, NULL) : g_steal_pointer (&cut);
}

/* @name with the extension @wanted, unless it already has one naming the same kind. */
static char *
with_extension (const char *name, const char *wanted)
{
  const char *extension = find_extension (name);
  const char *known = canonical_extension (extension);
  g_autofree char *stem = NULL;

  if (wanted == NULL || g_strcmp0 (known, canonical_extension (wanted)) == 0)
    return g_strdup (name);
  /* A wrong known extension is replaced; anything else ("v1.2") stays part of the stem. */
  stem = known != NULL ? g_strndup (name, (gsize) (extension - 1 - name)) : g_strdup (name);
  return join_within_limit (stem, wanted);
}

/* The last segment of @url's path, percent-decoded, or NULL. */
static GBytes *
last_segment (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  const char *path = uri ? g_uri_get_path (uri) : NULL;
  const char *slash;

  if (path == NULL)
    return NULL;
  slash = strrchr (path, '/');
  return g_uri_unescape_bytes (slash ? slash + 1 : path, -1, NULL, NULL);
}

char *
tessera_save_name_for_url (const char *url, const char *extension, guint fallback_number)
{
  g_autoptr (GBytes) segment = NULL;
  g_autofree char *safe = NULL;
  gsize len = 0;
  const char *data;

  g_return_val_if_fail (url != NULL, NULL);

  if ((segment = last_segment (url)) != NULL)
    {
      data = g_bytes_get_data (segment, &len);
      safe = len > 0 ? tessera_save_name_sanitize (data, (gssize) len) : NULL;
    }
  if (safe == NULL)
    safe = g_strdup_printf ("image-%u", fallback_number);
  return with_extension (safe, extension);
}

char *
tessera_save_name_for_post (const char *title, const char *id, const char *extension)
{
  g_autofree char *safe_id = NULL;
  g_autofree char *safe_title = NULL;
  g_autofree char *tail = NULL;
  gsize room;

  g_return_val_if_fail (id != NULL, NULL);

  safe_id = tessera_save_name_sanitize (id, -1);
  if (safe_id == NULL)
    safe_id = g_strdup ("image");
  safe_title = title != NULL ? tessera_save_name_sanitize (title, -1) : NULL;
  if (safe_title == NULL)
    return join_within_limit (safe_id, extension);

  tail = extension ? g_strdup_printf (" (%s).%s", safe_id, extension)
                   : g_strdup_printf (" (%s)", safe_id);
  room = TESSERA_SAVE_NAME_MAX > strlen (tail) ? TESSERA_SAVE_NAME_MAX - strlen (tail) : 0;
  safe_title[tessera_utf8_prefix_len (safe_title, -1, room)] = '\0';
  return g_strconcat (safe_title, tail, NULL);
}

char *
tessera_save_name_numbered (const char *name, guint n)
{
  const char *extension;
  g_autofree char *stem = NULL;
  g_autofree char *number = g_strdup_printf (" (%u)", n);
  gsize room;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (n >= 2, NULL);

  extension = find_extension (name);
  stem = extension ? g_strndup (name, (gsize) (extension - 1 - name)) : g_strdup (name);
  room = TESSERA_SAVE_NAME_MAX - strlen (number) - (extension ? strlen (extension) + 1 : 0);
  stem[tessera_utf8_prefix_len (stem, -1, room)] = '\0';
  return extension ? g_strconcat (stem, number, ".", extension, NULL)
                   : g_strconcat (stem, number, NULL);
}
