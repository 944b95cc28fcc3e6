/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-loader-private.h: what the tests look at inside the loader */
#pragma once

#include "tessera-loader.h"

G_BEGIN_DECLS

/* Requests submitted and neither delivered nor cancelled. */
guint tessera_loader_get_n_pending (TesseraLoader *self);
/* Requests finished by a worker and not delivered yet. Any thread. */
guint tessera_loader_get_n_finished (TesseraLoader *self);

G_END_DECLS
