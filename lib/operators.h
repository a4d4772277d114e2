/* operators.h — the comparison operators, modifiers and transformers of
 * the condition language as one enum each, expanded from operators.def:
 * the parser puts an fl_op, fl_modifier and fl_xform in the AST, the
 * checker and the evaluator read the same values, so no module keeps a
 * numbering of its own.  Static read-only data; nothing allocates. */
#ifndef FL_OPERATORS_H
#define FL_OPERATORS_H

#include <stddef.h>

#include "version.h"

/* Operators in the order libsinsp's parser tries them (operators.def). */
typedef enum fl_op {
#define FL_OP(id, text, syntax, classes, list_ok, modifiable, since) FL_OP_##id,
#include "operators.def"
#undef FL_OP
	FL_NOPS
} fl_op;

/* What the parser reads after an operator (operators.def `syntax`). */
typedef enum fl_opsyntax {
	FL_OPSYN_UNARY, /* nothing: exists */
	FL_OPSYN_NUM,   /* a number or a field */
	FL_OPSYN_STR,   /* a string or a field; oneof/anyof/allof may follow */
	FL_OPSYN_LIST   /* a list, a list name or a field: in, intersects, pmatch */
} fl_opsyntax;

/* One row of operators.def. */
typedef struct fl_opinfo {
	const char *text;       /* as written in a condition */
	unsigned char len;      /* strlen(text) */
	unsigned char syntax;   /* fl_opsyntax */
	unsigned char classes;  /* fl_tclass bits (fields.h) it compares */
	unsigned char list_ok;  /* also applies to list-valued fields */
	unsigned char modifiable; /* oneof/anyof/allof may follow */
	fl_version since;       /* first Falco release with it */
} fl_opinfo;

/* The table, indexed by fl_op: for the parser's and the evaluator's hot
 * paths, which index it directly; elsewhere use the functions below. */
extern const fl_opinfo fl_op_table[FL_NOPS];

/* String-operator modifiers (Falco >= 0.44), after a NONE for a check
 * without one. */
typedef enum fl_modifier {
	FL_MOD_NONE,
#define FL_MODIFIER(id, text, since) FL_MOD_##id,
#include "operators.def"
#undef FL_MODIFIER
	FL_NMODIFIERS
} fl_modifier;

/* Field transformers (tolower(...)); their catalogue data, which names
 * field types, is fields.h's fl_xform_get(). */
typedef enum fl_xform {
#define FL_XFORM(id, name, cl, list_ok, result, mn, mx, since) FL_XF_##id,
#include "operators.def"
#undef FL_XFORM
	FL_NXFORMS
} fl_xform;

/* The operator spelled text[0..len) ("contains"), or -1. */
int fl_op_lookup(const char *text, size_t len);
/* Its spelling ("contains"); NULL for an out-of-range value. */
const char *fl_op_text(fl_op op);
/* What the parser reads after it; UNARY for an out-of-range value. */
fl_opsyntax fl_op_syntax(fl_op op);
/* First Falco release with the operator. */
fl_version fl_op_since(fl_op op);
/* 1 if oneof/anyof/allof may follow the operator. */
int fl_op_modifiable(fl_op op);

/* The modifier spelled text[0..len) ("oneof"), or -1 (never FL_MOD_NONE). */
int fl_modifier_lookup(const char *text, size_t len);
/* Its spelling; "" for FL_MOD_NONE and an out-of-range value. */
const char *fl_modifier_text(fl_modifier m);
/* First Falco release with the modifier. */
fl_version fl_modifier_since(fl_modifier m);

#endif
