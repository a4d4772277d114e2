/* expr.h — the Falco condition language front end: AST, a recovering
 * parser that mirrors libsinsp's grammar and quirks, printers (dump and
 * canonical text), an ENTER/EXIT iterator, list substitution (Falco's
 * textual pass) and output-format tokens.
 *
 * Ownership: every node, string and array lives in the fl_arena given to
 * the function that made it; nothing is freed one by one.  Problems in the
 * input are returned as values (fl_expr_errors), never as diagnostics: the
 * compile stage maps their byte offsets to file positions. */
#ifndef FL_EXPR_H
#define FL_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "operators.h"
#include "source.h"

/* ---- tables (one list each, expanded into enums and name tables) ------ */

/* Operators, modifiers and transformers are operators.def's (operators.h):
 * the tree holds an fl_op, an fl_modifier and an fl_xform.  A transformer's
 * argument count is checked by the compile stage, not by the parser;
 * `val` is only valid on the right-hand side of a comparison. */

/* Node kinds. */
#define FL_EXPR_KINDS(X)                                                     \
	X(AND, "and")                                                        \
	X(OR, "or")                                                          \
	X(NOT, "not")                                                        \
	X(CHECK, "check")                                                    \
	X(MACRO, "macro")                                                    \
	X(ERROR, "error")

typedef enum fl_expr_kind {
#define FL_X_(k, s) FL_EXPR_##k,
	FL_EXPR_KINDS(FL_X_)
#undef FL_X_
	FL_EXPR_KIND_COUNT
} fl_expr_kind;

/* Name for messages and printers ("and"; an operator's, modifier's and
 * transformer's are fl_op_text, fl_modifier_text and fl_xform_get()->name);
 * "" for an out-of-range value. */
const char *fl_expr_kind_name(fl_expr_kind k);

/* ---- the tree --------------------------------------------------------- */

/* An operand: the left side of a check, a right-hand value, a transformer
 * argument or a list item.  All offsets are byte offsets [start, end) into
 * the parsed text. */
typedef enum fl_operand_kind {
	FL_OPERAND_FIELD,       /* proc.name, proc.aname[2], proc.env["MY VAR"] */
	FL_OPERAND_TRANSFORMER, /* tolower(x), val(x), getopt(x, "p:")[p] */
	FL_OPERAND_VALUE,       /* a quoted string, bare string or number */
	FL_OPERAND_LIST,        /* (a, "b c"), () — or a transformer list */
	FL_OPERAND_IDENT        /* bare name after a list operator/modifier */
} fl_operand_kind;

typedef struct fl_operand fl_operand;
typedef struct fl_operand_parts fl_operand_parts;

/* 32 bytes: conditions are mostly values (a list of n items holds n
 * operands; a 10k-rule file's macros keep ~30k for the whole run), so
 * what only lists, transformers and fields with an [arg] have is kept out
 * of line, in `parts`.  The name of a FIELD, TRANSFORMER or IDENT is the
 * text at [start, start + len); a VALUE's raw token is [start, end). */
struct fl_operand {
	uint8_t kind;               /* fl_operand_kind */
	uint8_t quoted;             /* VALUE: written in '…' or "…" */
	uint8_t numeric;            /* VALUE: lexed as NUMBER or HEXNUM */
	uint8_t tr;                 /* TRANSFORMER: fl_xform */
	uint32_t start, end;        /* the whole operand, [arg] included */
	uint32_t len;               /* of text */
	/* FIELD/TRANSFORMER/IDENT: the name; VALUE: the decoded value (escapes
	 * applied, quotes removed); LIST: "".  NUL-terminated; len excludes
	 * the NUL. */
	const char *text;
	const fl_operand_parts *parts; /* NULL: no items, no [arg] */
};

/* The operands an operand is made of (fl_operand_item, fl_operand_arg). */
struct fl_operand_parts {
	/* FIELD and TRANSFORMER: the optional [arg], a VALUE (decoded; its
	 * start..end is the token between the brackets, quotes included) */
	const fl_operand *arg;
	uint32_t nitems;
	fl_operand *items[];        /* TRANSFORMER: its arguments; LIST: its items */
};

/* Items of a LIST, arguments of a TRANSFORMER; 0 for other operands. */
static inline uint32_t fl_operand_nitems(const fl_operand *o)
{
	return o->parts ? o->parts->nitems : 0;
}

/* Item i < fl_operand_nitems(o). */
static inline const fl_operand *fl_operand_item(const fl_operand *o, uint32_t i)
{
	return o->parts->items[i];
}

/* The [arg] of a FIELD or TRANSFORMER; NULL when it has none. */
static inline const fl_operand *fl_operand_arg(const fl_operand *o)
{
	return o->parts ? o->parts->arg : NULL;
}

typedef struct fl_expr fl_expr;
struct fl_expr {
	fl_expr_kind kind;
	uint32_t start, end;        /* span in the parsed text */
	uint32_t parens;            /* pairs of parentheses written around it */
	union {
		/* AND, OR: n-ary; `a and b and c` is one node, parentheses nest */
		struct {
			fl_expr **v;
			uint32_t n;
		} kids;
		/* NOT: one child (`not not x` folds to x while parsing) */
		fl_expr *child;
		/* CHECK: lhs op [mod] [rhs]; rhs is NULL for exists */
		struct {
			fl_operand *lhs;
			fl_op op;
			fl_modifier mod;
			uint32_t op_start, op_end; /* operator (and modifier) text */
			fl_operand *rhs;
		} check;
		/* MACRO: an identifier in operand position.  `resolved` is
		 * NULL after parsing; the resolver may point it at the
		 * macro's own (shared, not copied) resolved tree. */
		struct {
			const char *name;
			uint32_t len;
			const fl_expr *resolved;
		} macro;
	} u;
};

/* One parse error.  [start, end) is the span worth underlining; `pos` is
 * the offset libsinsp reports for the same error (usually == start; for a
 * bad escape it is the end of the string).  msg is lowercase, no period. */
typedef struct fl_expr_error {
	uint32_t start, end, pos;
	const char *msg;
} fl_expr_error;
typedef FL_VEC(fl_expr_error) fl_expr_errors;

/* Default and hard ceiling for the nesting depth (parentheses, `not(`,
 * transformer calls and lists each count one level). */
#define FL_EXPR_DEFAULT_DEPTH 1000u
#define FL_EXPR_MAX_DEPTH 2000u

/* Parses condition text[0..len) into a tree allocated from `a`, appending
 * every error to *errs (must not be NULL).  The first error is the one
 * Falco 0.44 reports, same text and offset (except that Falco 0.44 does not
 * enforce a depth limit); later ones come from recovery, which skips to the
 * next `and`/`or` or closing parenthesis.  A check that fails becomes an
 * ERROR node; stray text after an operand is only reported.  max_depth 0
 * means FL_EXPR_DEFAULT_DEPTH; values above FL_EXPR_MAX_DEPTH are clamped.
 * Returns the root, or NULL only when out of memory.  The tree is usable
 * for checking only if no error was appended.  Mirrored quirks include:
 * HEXNUM is 0x followed by any letters/digits (libsinsp's regex); a bad
 * escape in the *first* item of a list literal silently yields `()`. */
fl_expr *fl_expr_parse(fl_arena *a, const char *text, uint32_t len,
		       unsigned max_depth, fl_expr_errors *errs);

/* Compact S-expression of the tree for tests, e.g.
 * `(and (= evt.type open) (not (in proc.name (list a "b c"))) (macro m))`;
 * a modifier joins its operator (`(startswith:oneof proc.name (list a))`),
 * transformers print as calls, ERROR nodes as `(error)`.  Values print bare
 * when made of [A-Za-z0-9_./:*+@-] or non-ASCII bytes, otherwise in double
 * quotes with C escapes; identifiers print as $name.  NULL on OOM. */
char *fl_expr_dump(fl_arena *a, const fl_expr *e);
/* Dump of one operand (same notation). */
char *fl_operand_dump(fl_arena *a, const fl_operand *o);

/* Canonical text (Falco's AST printer, condition-language §9): and/or
 * parenthesised, `not X`, values re-escaped.  Quotes are also added where
 * Falco's printer would emit text that does not re-parse (values with
 * parentheses, commas, empty values, a trailing backslash), so the result
 * always re-parses to the same tree.  NULL on OOM or when the tree
 * contains an ERROR node. */
char *fl_expr_format(fl_arena *a, const fl_expr *e);

/* fl_expr_format() with options.  FL_EXPR_FMT_FALCO prints exactly as
 * Falco's printer does (for comparing with `falco -L` condition_compiled;
 * the text may not re-parse: empty values print as nothing, `not not x`
 * stays).  FL_EXPR_FMT_FOLLOW prints a bound MACRO's resolved tree in its
 * place (Falco inlines macros); max_nodes bounds the nodes printed (0 = no
 * bound; shared macros are printed once per reference, which a hostile
 * ruleset can make exponential).  NULL on OOM, ERROR node or bound hit. */
enum {
	FL_EXPR_FMT_FALCO = 1,
	FL_EXPR_FMT_FOLLOW = 2
};
char *fl_expr_format_ex(fl_arena *a, const fl_expr *e, unsigned flags,
			size_t max_nodes);

/* Binds a MACRO node for a FL_EXPR_FMT_FOLLOW walk: the tree to print in
 * its place, or NULL when there is none (missing or unusable macro). */
typedef const fl_expr *(*fl_expr_resolve_fn)(void *ctx, const fl_expr *macro);

/* fl_expr_format_ex() where, with FL_EXPR_FMT_FOLLOW, macros are bound by
 * `resolve` (called once per reference) instead of u.macro.resolved, so a
 * caller can print against its current definitions without writing into
 * the tree; a macro that `resolve` does not bind makes the result NULL.
 * resolve NULL: exactly fl_expr_format_ex(). */
char *fl_expr_format_with(fl_arena *a, const fl_expr *e, unsigned flags,
			  size_t max_nodes, fl_expr_resolve_fn resolve,
			  void *ctx);

/* ---- iteration (cmark style) ------------------------------------------ */

typedef enum fl_expr_event {
	FL_EXPR_EV_LIMIT = -2, /* fl_expr_iter_follow()'s node bound hit */
	FL_EXPR_EV_OOM = -1, /* the iterator could not grow its stack */
	FL_EXPR_EV_DONE = 0,
	FL_EXPR_EV_ENTER,    /* every node; leaves (CHECK/MACRO/ERROR) only this */
	FL_EXPR_EV_EXIT      /* AND, OR, NOT after their children */
} fl_expr_event;

typedef struct fl_expr_iter fl_expr_iter;

/* An iterator over the tree below `root` (depth-first, children in order);
 * NULL on OOM.  Lives in the arena. */
fl_expr_iter *fl_expr_iter_new(fl_arena *a, const fl_expr *root);
/* Starts it over on the tree below `root` (not started, no follow),
 * keeping its stack: one iterator serves many walks without allocating. */
void fl_expr_iter_reset(fl_expr_iter *it, const fl_expr *root);
/* Next event; *node is set for ENTER and EXIT. */
fl_expr_event fl_expr_iter_next(fl_expr_iter *it, const fl_expr **node);
/* After ENTER of an inner node: do not descend; its EXIT comes next. */
void fl_expr_iter_skip(fl_expr_iter *it);
/* Call before the first next(): a MACRO whose `resolved` is set becomes an
 * inner node with that tree as its one child (ENTER macro, …, EXIT macro).
 * At most max_nodes ENTER events follow (0 = no bound), then
 * FL_EXPR_EV_LIMIT: shared macro trees are walked once per reference. */
void fl_expr_iter_follow(fl_expr_iter *it, size_t max_nodes);

/* ---- text with positions ---------------------------------------------- */

/* ---- list substitution (condition-language §6) ----------------------- */

/* A list as it takes part in substitution: name and *compiled* items. */
typedef struct fl_list_def {
	const char *name;
	uint32_t name_len;
	const char *const *items; /* NUL-terminated strings */
	size_t nitems;
} fl_list_def;

/* Falco's textual list substitution, exact: for each list in order (first
 * definition order), every delimited occurrence of its name in the current
 * text is replaced by its quoted items joined with ", " (§6.2, quirks
 * included).  `in` is not modified; *out receives the new text and, for
 * every byte, a position: bytes kept keep theirs, inserted bytes take the
 * position of the first byte of the list name they replace.  When `in` has
 * no positions (pos NULL), out->pos stays NULL.  used[i] (when not NULL) is
 * set to 1 for each list that replaced something.  Returns 0, or FL_ENOMEM
 * when out of memory or when the text would outgrow 4 GiB. */
int fl_list_substitute(fl_arena *a, const fl_text *in,
		       const fl_list_def *lists, size_t nlists,
		       fl_text *out, unsigned char *used);

/* fl_list_substitute()'s status when the text would get longer than the
 * bound given to fl_list_substitute_max() (a positive value: not an
 * error of the library, a property of the input). */
#define FL_SUBST_TOO_LONG 1
/* ... and when the passes would rebuild more than FL_SUBST_WORK_FACTOR
 * times that bound in all (hostile orders of list names). */
#define FL_SUBST_TOO_COSTLY 2
#define FL_SUBST_WORK_FACTOR 64

/* fl_list_substitute() with a bound: when the text — the input, or the
 * text at any point of the substitution — is longer than max_len bytes
 * (0 = no bound but 4 GiB), stops at once and returns FL_SUBST_TOO_LONG;
 * when the passes have rebuilt more than FL_SUBST_WORK_FACTOR * max_len
 * bytes, FL_SUBST_TOO_COSTLY (*out and used[] are then unspecified).
 * Working memory is freed before returning and is proportional to the
 * longest text; the time, to the work bound. */
int fl_list_substitute_max(fl_arena *a, const fl_text *in,
			   const fl_list_def *lists, size_t nlists,
			   size_t max_len, fl_text *out, unsigned char *used);

/* An index of list names for substitution: maps the names, as delimited
 * tokens, to their lists, so that a substitution visits only the lists
 * its text names.  Built for one lists[] (its names; items may change
 * after); it keeps per-call marks, so it is not for concurrent use. */
typedef struct fl_list_index fl_list_index;

/* Builds the index of lists[0..n)'s names in `a`; NULL when out of
 * memory. */
fl_list_index *fl_list_index_new(fl_arena *a, const fl_list_def *lists, size_t n);

/* Indices of lists, ascending. */
typedef FL_VEC(uint32_t) fl_list_used;

/* fl_list_substitute_max() using idx, built by fl_list_index_new() from
 * these lists' names (NULL, or one of another size: built for the call);
 * the same results and statuses.  The index of every list that replaced
 * something is appended to *used (when not NULL; grown in `a`), in
 * ascending order: the cost follows the lists the text names, not the
 * number of lists. */
int fl_list_substitute_idx(fl_arena *a, const fl_text *in,
			   const fl_list_def *lists, size_t nlists,
			   fl_list_index *idx, size_t max_len, fl_text *out,
			   fl_list_used *used);

/* 1 when s[0..n) names a list i with flag[i] set: as a delimited token,
 * or (names holding a delimiter byte) anywhere as a substring; else 0. */
int fl_list_index_mentions(fl_list_index *x, const char *s, size_t n,
			   const unsigned char *flag);

/* The first occurrence of needle[0..nn) in hay[0..n), byte-exact (the
 * search list substitution uses; C11 has no memmem); NULL when there is
 * none or nn is 0. */
const char *fl_memmem(const char *hay, size_t n, const char *needle,
		      size_t nn);

/* Falco's quote_item(): a list item (or an exception value) is written in
 * double quotes when it holds a space and does not start with a quote;
 * nothing inside is escaped.  1 when s[0..n) gets quotes. */
int fl_quote_item_needed(const char *s, size_t n);

/* A list as the collector holds it, for fl_list_compile(). */
typedef struct fl_list_src {
	const char *name;
	uint32_t index;      /* order of first definition among lists */
	uint32_t visibility; /* index of its latest definition or append */
	const char *const *items; /* raw items, NUL-terminated */
	size_t nitems;
} fl_list_src;

/* Compiles list items like Falco (§6.1): lists[] in first-definition order;
 * an item naming a list whose index is < the referrer's visibility is
 * replaced by that list's raw items (one level only) and that list is
 * marked used[i] = 1 (used may be NULL).  out[] receives n compiled lists
 * (same order, names shared with lists[]).  Returns 0 or FL_ENOMEM. */
int fl_list_compile(fl_arena *a, const fl_list_src *lists, size_t n,
		    fl_list_def *out, unsigned char *used);

/* ---- output strings (rules-format §14.1) ----------------------------- */

/* Asks whether `name` (with optional argument) is a field the output's
 * source knows; return nonzero for yes.  Used for Falco 0.44's longest
 * compiling prefix rule. */
typedef int (*fl_field_known_fn)(void *ctx, const char *name, size_t len,
				 int has_arg, const char *arg, size_t arg_len);

typedef struct fl_output_token {
	uint32_t start, end;        /* from '%' to the end of the field */
	unsigned width;             /* %10proc.name -> 10; 0 = none */
	fl_operand *field;          /* FIELD or TRANSFORMER operand */
} fl_output_token;

typedef struct fl_output {
	int require_all;            /* 0 when the text starts with '*' */
	fl_output_token *tokens;
	size_t ntokens;
} fl_output;

/* Splits an output format into %-tokens the way Falco 0.44 does: after '%'
 * an optional width, then the longest prefix that parses as a field or
 * transformer and whose fields `known` accepts (NULL: any lexically valid
 * field name is accepted).  Errors (trailing '%', '%' + digits at the end,
 * a token that is no field) are appended to *errs, each with `pos` at its
 * '%'; the scan goes on after a bad token.  The two end-of-text errors span
 * from the '%' (start == pos); a bad token's span is the name after the
 * '%' and width, or, for a transformer call that parses, the first field
 * inside it that `known` rejects (start > pos).  Returns 0 or FL_ENOMEM. */
int fl_output_parse(fl_arena *a, const char *text, uint32_t len,
		    fl_field_known_fn known, void *ctx, fl_output *out,
		    fl_expr_errors *errs);

#endif
