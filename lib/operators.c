/* operators.c — the operator and transformer tables expanded from
 * operators.def (the one file that expands its value classes), and the
 * lookups over them that do not depend on a field's type (those are in
 * fields.c).  See operators.h. */
#include "operators.h"

#include <string.h>

#include "fields.h"

/* Short names the .def rows use; local to this file.  `syntax` is pasted
 * onto SYN_ (not expanded first), so its NUM and STR do not collide with
 * the value classes of the same names. */
#define V(a, b, c) {(a), (b), (c)}
#define V0 {0, 0, 0}
#define NUM FL_TC_NUM
#define BOOL FL_TC_BOOL
#define STR FL_TC_STR
#define BUF FL_TC_BUF
#define IP FL_TC_IP
#define ANY FL_TC_ANY
#define SYN_UNARY FL_OPSYN_UNARY
#define SYN_NUM FL_OPSYN_NUM
#define SYN_STR FL_OPSYN_STR
#define SYN_LIST FL_OPSYN_LIST
const fl_opinfo fl_op_table[FL_NOPS] = {
#define FL_OP(id, text, syntax, classes, list_ok, modifiable, since) \
	[FL_OP_##id] = {text, sizeof(text) - 1, SYN_##syntax, (classes), \
			(list_ok), (modifiable), since},
#include "operators.def"
#undef FL_OP
};

const fl_xform_info fl_xform_table[FL_NXFORMS] = {
#define FL_XFORM(id, name, cl, list_ok, result, mn, mx, since) \
	[FL_XF_##id] = {name, (cl), (list_ok), FL_T_##result, (mn), (mx), since},
#include "operators.def"
#undef FL_XFORM
};

static const struct {
	const char *text;
	fl_version since;
} modifiers[FL_NMODIFIERS] = {
	[FL_MOD_NONE] = {"", V0},
#define FL_MODIFIER(id, text, since) [FL_MOD_##id] = {text, since},
#include "operators.def"
#undef FL_MODIFIER
};

int fl_op_lookup(const char *text, size_t len)
{
	if (!text)
		return -1;
	for (int i = 0; i < FL_NOPS; i++)
		if (fl_op_table[i].len == len && memcmp(fl_op_table[i].text, text, len) == 0)
			return i;
	return -1;
}

const char *fl_op_text(fl_op op)
{
	return (unsigned)op < FL_NOPS ? fl_op_table[op].text : NULL;
}

fl_opsyntax fl_op_syntax(fl_op op)
{
	return (unsigned)op < FL_NOPS ? (fl_opsyntax)fl_op_table[op].syntax : FL_OPSYN_UNARY;
}

fl_version fl_op_since(fl_op op)
{
	return (unsigned)op < FL_NOPS ? fl_op_table[op].since : FL_VERSION_UNRELEASED;
}

int fl_op_modifiable(fl_op op)
{
	return (unsigned)op < FL_NOPS && fl_op_table[op].modifiable;
}

int fl_modifier_lookup(const char *text, size_t len)
{
	if (!text)
		return -1;
	for (int i = FL_MOD_NONE + 1; i < FL_NMODIFIERS; i++)
		if (strlen(modifiers[i].text) == len && memcmp(modifiers[i].text, text, len) == 0)
			return i;
	return -1;
}

const char *fl_modifier_text(fl_modifier m)
{
	return (unsigned)m < FL_NMODIFIERS ? modifiers[m].text : "";
}

fl_version fl_modifier_since(fl_modifier m)
{
	return (unsigned)m < FL_NMODIFIERS ? modifiers[m].since : FL_VERSION_UNRELEASED;
}
