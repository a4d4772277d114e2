/* evalops.h — value semantics of the evaluator, independent of the AST:
 * three-valued truth (true / false / unknown), typed field values, every
 * comparison operator and modifier of Falco's condition language, and the
 * field transformers, each with libsinsp's exact behaviour.  Values and
 * results live in the caller's arena; compiled regexes live in an fl_opctx. */
#ifndef FL_EVALOPS_H
#define FL_EVALOPS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "operators.h"

/* ---- three-valued logic (Kleene) ------------------------------------- */

typedef enum fl_tv { FL_FALSE = 0, FL_TRUE = 1, FL_UNKNOWN = 2 } fl_tv;

/* Kleene conjunction, disjunction and negation: false wins an `and`, true
 * wins an `or`, unknown otherwise stays unknown. */
fl_tv fl_tv_and(fl_tv a, fl_tv b);
fl_tv fl_tv_or(fl_tv a, fl_tv b);
fl_tv fl_tv_not(fl_tv a);
/* "true", "false" or "unknown". */
const char *fl_tv_name(fl_tv t);

/* ---- values ------------------------------------------------------------ */

typedef enum fl_vkind {
	FL_V_UNKNOWN, /* the event does not say: every test on it is unknown */
	FL_V_NONE,    /* known to be absent (Falco extracts nothing, prints
	               * <NA>/null): every test on it is false, even != */
	FL_V_STR,     /* CHARBUF / FSPATH: compared as a C string */
	FL_V_BUF,     /* BYTEBUF: compared as bytes */
	FL_V_INT,     /* signed integer types */
	FL_V_UINT,    /* unsigned integer, flags, time types */
	FL_V_BOOL,
	FL_V_IP,      /* IPv4 or IPv6 address */
	FL_V_NET,     /* IPv4 or IPv6 network (address + prefix length) */
	FL_V_LIST     /* list-valued field: items of one scalar kind */
} fl_vkind;

typedef struct fl_value fl_value;
struct fl_value {
	fl_vkind kind;
	const char *s;          /* STR/BUF bytes (NUL-terminated); for the
	                         * other scalars the text they were read from,
	                         * or NULL */
	size_t len;             /* length of s */
	int64_t i;              /* INT */
	uint64_t u;             /* UINT; BOOL (0/1) */
	unsigned char ip[16];   /* IP/NET, network byte order */
	unsigned char ipv6;     /* IP/NET: 1 for IPv6 (16 bytes), else 4 */
	unsigned char prefix;   /* NET: prefix length in bits */
	const fl_value *items;  /* LIST */
	size_t n;
};

/* Convenience constructors (no allocation; `s` is borrowed). */
fl_value fl_value_unknown(void);
fl_value fl_value_none(void);
fl_value fl_value_str(const char *s);
fl_value fl_value_int(int64_t i);
fl_value fl_value_uint(uint64_t u);
fl_value fl_value_bool(int b);

/* Reads `text[0..len)` as a value of `kind` (STR, BUF, INT, UINT, BOOL, IP,
 * NET) the way libsinsp reads a filter literal: integers decimal or 0x hex,
 * booleans only "true"/"false", IP networks "addr/len".  An IP kind accepts
 * a network literal too (the comparison then tests membership).  Returns 0,
 * FL_EUSAGE when the text is not a value of that kind, or FL_ENOMEM. */
int fl_value_parse(fl_arena *a, fl_vkind kind, const char *text, size_t len,
		   fl_value *out);
/* Converts a scalar or list value to `kind` through its text (a scenario's
 * `5` becomes the string "5" for proc.name, the number 5 for proc.pid).
 * UNKNOWN and NONE stay as they are; a LIST converts item by item.  Returns
 * 0, FL_EUSAGE when a text is not of that kind, or FL_ENOMEM. */
int fl_value_coerce(fl_arena *a, const fl_value *in, fl_vkind kind,
		    fl_value *out);
/* The value as a message shows it: "5" quoted, 42, true, ("a", "b"),
 * unknown, <NA>.  Arena-owned; NULL on OOM. */
const char *fl_value_format(fl_arena *a, const fl_value *v);
/* Name of a kind ("string", "uint64", …) for messages. */
const char *fl_vkind_name(fl_vkind k);
/* The kind holding a value of catalogue type `ftype` (an fl_ftype of
 * fields.h): STR, BUF, INT, UINT, BOOL or IP (a network field's value is
 * an address); FL_V_UNKNOWN for types without a comparable value
 * (DOUBLE, SOCKTUPLE, …), which scenario values then keep as written. */
fl_vkind fl_vkind_of_ftype(int ftype);

/* ---- operators --------------------------------------------------------- */

/* Operators and modifiers are fl_op and fl_modifier (operators.h), as the
 * parser puts them in the AST; `==` compares as `=`. */

/* 1 if Falco accepts `op` on a field of `kind` (flt_is_comparable, from
 * the classes and list_ok of operators.def; a LIST kind means a
 * list-valued field); 0 otherwise.  `exists` always is. */
int fl_op_applies(fl_op op, fl_vkind kind);

/* Reads a right-hand literal of `op` for a field of `kind`: as
 * fl_value_parse, except that bcontains/bstartswith literals are hex digit
 * strings decoded to bytes.  Returns 0, FL_EUSAGE or FL_ENOMEM. */
int fl_literal_parse(fl_arena *a, fl_op op, fl_vkind kind,
		     const char *text, size_t len, fl_value *out);

/* Compiled regexes are cached here (pcre2 code is not arena memory). */
typedef struct fl_opctx fl_opctx;

/* A context whose scratch values live in arena `a`; NULL on OOM.  Release
 * it with fl_opctx_release() before the arena is freed. */
fl_opctx *fl_opctx_new(fl_arena *a);
/* Frees the compiled regexes; the context itself is arena memory. */
void fl_opctx_release(fl_opctx *c);

/* Compares field value `lhs` with `op`/`mod` against the right-hand values
 * rhs[0..n) (literals read with fl_literal_parse, or a val() field's
 * values), with libsinsp's semantics:
 *   - unknown lhs or rhs gives unknown; NONE (absent) gives false, even for
 *     != and exists;
 *   - in/intersects/pmatch and modifiers use all of rhs; other operators
 *     the first (none: false);
 *   - a list lhs: `in` = every item is in rhs, `intersects` = some item is.
 * Stores the result in *out.  Returns 0, FL_EUSAGE when Falco would refuse
 * the comparison (operator vs type, a regex RE2 rejects), or FL_ENOMEM. */
int fl_compare(fl_opctx *c, fl_op op, fl_modifier mod, const fl_value *lhs,
	       const fl_value *rhs, size_t n, fl_tv *out);

/* An index over right-hand values for `in`/`intersects` membership: built
 * once per literal list, it makes each test O(1) instead of O(n). */
typedef struct fl_vset fl_vset;

/* Indexes rhs[0..n) (which must outlive the set) into *out.  *out is NULL
 * when the values do not allow an exact index (mixed kinds, IP addresses
 * and networks, unknown/absent values): fl_compare_set then scans.
 * Returns 0 or FL_ENOMEM. */
int fl_vset_new(fl_arena *a, const fl_value *rhs, size_t n,
		const fl_vset **out);

/* fl_compare with `set` built by fl_vset_new over the same rhs[0..n) (or
 * NULL): the same result and return code, but `in` and `intersects` look
 * the left-hand value up instead of comparing it with every item. */
int fl_compare_set(fl_opctx *c, fl_op op, fl_modifier mod,
		   const fl_value *lhs, const fl_value *rhs, size_t n,
		   const fl_vset *set, fl_tv *out);

/* Checks a regex the way Falco compiles it (RE2, POSIX syntax: no \d \w \s
 * \b, no (?...) groups, no lazy quantifiers, no backreferences) and with
 * pcre2.  Returns 0, or FL_EUSAGE with a lowercase reason in msg[0..size). */
int fl_regex_check(const char *pat, size_t len, char *msg, size_t size);

/* ---- transformers ------------------------------------------------------ */

/* Applies transformer `x` (fl_xform of operators.h: tolower, toupper,
 * b64, basename or len; val, join, concat and getopt are not value
 * functions here) to `in` (per item for a list, except len, which counts
 * the items).  Unknown stays unknown; an invalid base64 text yields NONE,
 * as Falco's failed extraction makes the comparison false.  Returns 0,
 * FL_EUSAGE when Falco refuses the transformer for this kind (or it is
 * not one of those five), or FL_ENOMEM; *out is arena-owned. */
int fl_xform_apply(fl_arena *a, fl_xform x, const fl_value *in,
		   fl_value *out);

#endif
