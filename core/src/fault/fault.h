/* fault.h - fault injection for the tests, in the spirit of SQLite's: once
 * armed, the Nth allocation of fcat's own code (on any thread), or the Nth
 * call into a plugin, fails as if the system or the store had failed. Built
 * only with FCAT_FAULT (the sanitizer builds the tests run on); a release
 * build compiles the hooks away. */
#ifndef FCAT_FAULT_FAULT_H
#define FCAT_FAULT_FAULT_H

#include <stdbool.h>

typedef enum fcat__fault_kind {
	FCAT__FAULT_ALLOC,  /* malloc, calloc, realloc, strdup, strndup in libfcat */
	FCAT__FAULT_PLUGIN, /* a call into a plugin's ops (not close) */
	FCAT__FAULT_KINDS,
} fcat__fault_kind;

#ifdef FCAT_FAULT

/* Arms the process: counting from now, the nth call of `kind` (n >= 1),
 * from any thread, fails, once; the calls before and after it succeed. One
 * test arms it at a time. */
void fcat__fault_arm(fcat__fault_kind kind, long n);

/* Disarms; returns whether the armed fault was met. */
bool fcat__fault_disarm(void);

/* How many calls of `kind` were made since it was armed. */
long fcat__fault_calls(fcat__fault_kind kind);

/* Counts a call of `kind`; true when this is the one to fail. */
bool fcat__fault_hit(fcat__fault_kind kind);

/* The error of an injected plugin failure: sets the message and returns
 * FCAT_EIO, as a failing store would. */
int fcat__fault_plugin_error(void);

/* A plugin call that fails when the armed fault says so. */
#define FCAT__PLUGIN_CALL(call)                                                                    \
	(fcat__fault_hit(FCAT__FAULT_PLUGIN) ? fcat__fault_plugin_error() : (call))

#else

#define FCAT__PLUGIN_CALL(call) (call)

#endif

#endif
