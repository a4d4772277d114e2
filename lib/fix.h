/* fix.h — internals of `falco-lint fix` shared by fix.c (synthesis and
 * verification of override entries), helmwrite.c (merging them into a Helm
 * values file) and the unit tests.  Everything lives in the arena of the
 * session the fix was computed for. */
#ifndef FL_FIX_H
#define FL_FIX_H

#include <stdint.h>

#include "arena.h"
#include "falcolint.h"
#include "yaml.h"

/* One override entry of the result. */
typedef struct fl_fix_entry {
	const char *kind;      /* "list", "macro" or "rule" */
	const char *target;    /* the item it extends */
	fl_ynode *node;        /* the entry as a YAML map */
	const char *text;      /* emitted: "- macro: …\n  …\n" */
	FL_VEC(const char *) fixes;  /* "rule 'R' on benign scenario 'S'" */
	int skip;              /* already present in the file merged into */
} fl_fix_entry;

struct fl_fix {
	fl_session *s;
	fl_arena *a;
	fl_fix_options o;
	int legacy;            /* `append: true` instead of `override:` */
	FL_VEC(fl_fix_entry) entries;
	FL_VEC(const char *) unfixed;
	FL_VEC(const char *) log;
	char *out;             /* what fl_fix_text returns */
	size_t outlen;
	/* verification state (fix.c) */
	void *state;
};

/* The rules-file text of the entries not marked skip: each entry after a
 * comment line per finding it fixes, entries separated by a blank line.
 * "" when every entry is skipped; NULL on OOM. */
char *fl_fix_entries_text(fl_fix *f, size_t *len);

/* Verifies rules-file text `snippet` as a fix of rule `rule` firing on
 * benign scenario `scenario`: the session's inputs plus the snippet are
 * loaded into a new session and re-evaluated.  Returns 1 (keep), 0
 * (rejected, *why says why) or a negative FL_E*. */
int fl_fix_verify(fl_fix *f, const char *rule, const char *scenario,
		  const char *snippet, size_t len, const char **why);

/* 1 when Falco's space join of condition `base` and an appended text that
 * starts with `op` ("or" / "and") followed by a parenthesised term keeps
 * the meaning (base) op (term); 0 when precedence would regroup it. */
int fl_fix_append_safe(fl_arena *a, const char *base, size_t len, const char *op);

/* Parses YAML `data` (named `name` in messages) into *root (NULL for an
 * empty stream).  Returns 0, FL_EUSAGE with *err set (syntax error,
 * several documents) or FL_ENOMEM. */
int fl_fix_parse_yaml(fl_arena *a, const char *name, const char *data,
		      size_t len, fl_ynode **root, const char **err);

/* Structural equality of two YAML trees (scalars by text, maps regardless
 * of key order), looking at most `depth` levels deep. */
int fl_ynode_equal(const fl_ynode *x, const fl_ynode *y, unsigned depth);

/* Marks entries present in the sequence `items` (n nodes) as skip. */
void fl_fix_mark_present(fl_fix *f, fl_ynode *const *items, uint32_t n);

/* helmwrite.c: merges the fix into Helm values text old[0..oldlen) under
 * customRules (see fl_fix_merge). */
int fl_helm_merge(fl_fix *f, const char *name, const char *old, size_t oldlen,
		  char **out, size_t *outlen, int *changed, const char **err);

/* helmwrite.c: the customRules map { entry: |- text } as YAML text. */
int fl_helm_entry_text(fl_fix *f, const char *entry, const char *rules,
		       char **out, size_t *len);

#endif
