/*
 * Resource values parsed the way docker's CLI parses them, so that a value
 * the engine would refuse is refused before anything is created.
 *
 *   memory, shm-size  go-units RAMInBytes, (?i)^(\d+(\.\d+)*) ?([kmgtp])?i?b?$
 *                     then ParseFloat: powers of 1024 ("2g", "512m",
 *                     "1.5GiB", "100"); also docker's --mount tmpfs-size
 *   cpus              opts.NanoCPUs: a decimal number that is a whole number
 *                     of billionths ("1.5", "0.25"), at least 0.01 (the
 *                     daemon's least)
 *   pids-limit        an integer; -1 or 0 is unlimited
 */
#ifndef PARA_UNITS_H
#define PARA_UNITS_H

/* 0 and the bytes in *out; -1 when s is not a size, -2 when it is 2^63 or more. */
int units_ram_in_bytes(const char *s, long long *out);
/* 0 and the billionths of a CPU in *out, or -1 (not a number, too precise, < 0.01). */
int units_nano_cpus(const char *s, long long *out);
/* 0 and the value in *out, or -1 when s is not an integer (int64). */
int units_int(const char *s, long long *out);

/* NULL when v is a value the engine takes for resource key (memory,
 * shm_size, cpus, pids_limit, gpus); else what to give instead ("a size of
 * at least 6m (2g, 512m, 1.5g)"). */
const char *units_resource_want(const char *key, const char *v);

#endif
