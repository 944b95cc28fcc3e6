/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-fetch-private.h: what the tests check of the fetcher directly */
#pragma once

#include "tessera-fetch.h"

G_BEGIN_DECLS

/* TRUE when @url is a known host's "image removed" placeholder: a host and path of the
 * table in tessera-fetch.c; a URL under TESSERA_IMGUR_IMAGES counts as the same path on
 * i.imgur.com. Any thread, as long as nothing changes the environment meanwhile. */
gboolean tessera_fetch_is_placeholder (const char *url);

G_END_DECLS
