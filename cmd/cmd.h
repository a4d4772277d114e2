/* cmd.h — what the subcommands of falco-lint share with main.c: exit
 * statuses, the usage-error printer, and one entry point per subcommand
 * (each in its own file; main.c dispatches on the first argument). */
#ifndef FLCMD_CMD_H
#define FLCMD_CMD_H

struct fl_options;

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

/* Prints "falco-lint: MESSAGE" and a hint to stderr; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Lets the session map large rule files (fl_options.map_files) and installs
 * the SIGBUS handler that mapping needs: a file that shrinks while it is
 * mapped ends the run with a message and EXIT_INTERNAL, not a crash. */
void map_rule_files(struct fl_options *fo);

/* `falco-lint checks [--format=text|man]`: the check catalogue. */
int cmd_checks(int argc, char **argv);
/* `falco-lint explain CODE`: one check's documentation. */
int cmd_explain(int argc, char **argv);
/* `falco-lint eval` / `falco-lint scenarios` (cmd/eval.c). */
int cmd_eval(int argc, char **argv);
int cmd_scenarios(int argc, char **argv);
/* `falco-lint fix [OPTIONS] PATH...`: verified override entries (cmd/fix.c). */
int cmd_fix(int argc, char **argv);

#endif
