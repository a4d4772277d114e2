/* yaml.h — a YAML document tree built from libyaml's event stream, with the
 * exact span of every node.  Aliases share the anchored node (no copies, so
 * an alias bomb costs nothing); limits bound depth and size.  Only yaml.c and
 * emit.c include <yaml.h>. */
#ifndef FL_YAML_H
#define FL_YAML_H

#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "source.h"

typedef enum fl_ykind { FL_Y_SCALAR, FL_Y_SEQ, FL_Y_MAP } fl_ykind;

typedef enum fl_ystyle {
	FL_YS_PLAIN,
	FL_YS_SINGLE,
	FL_YS_DOUBLE,
	FL_YS_LITERAL,
	FL_YS_FOLDED,
	FL_YS_FLOW,  /* flow collection [..] / {..} */
	FL_YS_BLOCK  /* block collection */
} fl_ystyle;

typedef struct fl_ynode fl_ynode;
struct fl_ynode {
	fl_ykind kind;
	fl_ystyle style;
	fl_span span;         /* start mark .. end mark */
	const char *str;      /* scalar: decoded value (NUL-terminated) */
	uint32_t len;         /* scalar: byte length of str */
	int is_null;          /* plain scalar "", "~", "null", "Null", "NULL" */
	int is_alias;         /* reached through *alias (this is the target) */
	const char *tag;      /* explicit tag or NULL */
	fl_ynode **kids;      /* seq: n items; map: keys and values interleaved */
	uint32_t n;           /* seq: items; map: pairs (kids has 2n entries) */
};

#define FL_YKEY(m, i) ((m)->kids[2 * (i)])
#define FL_YVAL(m, i) ((m)->kids[2 * (i) + 1])

typedef struct fl_ydoc {
	fl_ynode *root;       /* NULL for an empty document */
	fl_span span;
} fl_ydoc;

typedef struct fl_ylimits {
	uint32_t max_depth;   /* nesting of collections */
	uint32_t max_nodes;   /* nodes per file */
	uint32_t max_aliases; /* alias events per file */
} fl_ylimits;

/* Parses the whole stream of `src`.  Stores the documents in *docs / *ndocs.
 * On a syntax error or a hit limit, adds one diagnostic to `d` and returns
 * 1; documents completed before the error are still returned (Falco reads
 * nothing of such a file, but callers may want them). */
int fl_yaml_parse(fl_arena *a, const fl_source *src, const fl_ylimits *lim,
		  fl_diags *d, fl_ydoc **docs, uint32_t *ndocs);

/* Value of the first key `key` of map `m` (as Falco's lookup sees it), or
 * NULL when absent; *keyp receives the key node when not NULL. */
fl_ynode *fl_ymap_get(const fl_ynode *m, const char *key, fl_ynode **keyp);

/* Map every byte of a scalar's decoded value back to the file: returns an
 * fl_text whose pos[] has len+1 entries.  Works for every scalar style:
 * plain and quoted multi-line scalars, escapes, literal and folded blocks. */
int fl_yscalar_text(fl_arena *a, const fl_source *src, const fl_ynode *n,
		    fl_text *out);

#endif
