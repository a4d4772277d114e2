/* emit.h — YAML output through libyaml's emitter (never printf-built YAML):
 * build a small tree of fl_ynode values, then emit it as text.  Used by the
 * fix generator (override snippets) and the Helm values writer. */
#ifndef FL_EMIT_H
#define FL_EMIT_H

#include "arena.h"
#include "yaml.h"

/* Node builders (arena-owned; strings are copied).  `style` is one of
 * FL_YS_PLAIN, FL_YS_SINGLE, FL_YS_DOUBLE, FL_YS_LITERAL, FL_YS_FOLDED for
 * scalars (the emitter may pick a safer one), FL_YS_FLOW or FL_YS_BLOCK for
 * collections.  NULL on OOM. */
fl_ynode *fl_ynew_scalar(fl_arena *a, const char *s, fl_ystyle style);
fl_ynode *fl_ynew_seq(fl_arena *a, fl_ystyle style);
fl_ynode *fl_ynew_map(fl_arena *a, fl_ystyle style);
/* Appends to a sequence / adds a key to a map; 0 or FL_ENOMEM. */
int fl_yseq_push(fl_arena *a, fl_ynode *seq, fl_ynode *item);
int fl_ymap_put(fl_arena *a, fl_ynode *map, const char *key, fl_ynode *value);

/* Emits `root` as one YAML document without document markers into an
 * arena string; *out is NUL-terminated.  0, FL_ENOMEM, or FL_EUSAGE when
 * libyaml rejects the tree. */
int fl_yaml_emit(fl_arena *a, const fl_ynode *root, char **out, size_t *len);

#endif
