/*
 * tap.h: Test Anything Protocol output for the test programs.
 *
 * With TAP_INDENT=1 in the environment every line is indented by four
 * spaces, so init can nest a program's stream as a TAP subtest.
 */
#ifndef _TAP_H
#define _TAP_H

void tap_plan(int n);
/* Reports one test; returns cond so callers can chain on the result. */
int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The plan "1..0 # SKIP why": nothing here can be tested. */
void tap_skip_all(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The exit status: 0 only if every test passed and the plan was met. */
int tap_done(void);
/*
 * The same for a program that cannot know its count beforehand (it
 * depends on the devices it finds): the plan comes after the tests, as
 * TAP allows.
 */
int tap_done_late_plan(void);

#endif
