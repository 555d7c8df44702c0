/* metrics.c - the server's Prometheus metrics: atomic counters bumped once
 * per request, rendered as text for GET /metrics. */
#include "metrics.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const endpoint_names[SRV_EP_COUNT] = {
    "/get-online-features", "/push", "/health", "/metrics", "other",
};

/* The statuses with a slot of their own; the last slot takes the rest. */
static const unsigned statuses[SRV_STATUS_SLOTS - 1] = {200, 202, 400, 401, 403,
                                                        404, 405, 413, 500, 503};

/* Upper bounds of the latency buckets, in microseconds. */
static const uint64_t bounds_us[SRV_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000};

static size_t status_slot(unsigned status)
{
	for (size_t i = 0; i < SRV_STATUS_SLOTS - 1; i++)
		if (statuses[i] == status)
			return i;
	return SRV_STATUS_SLOTS - 1;
}

void srv_metrics_record(srv_metrics *m, srv_endpoint ep, unsigned status, uint64_t micros)
{
	size_t b = 0;
	while (b < SRV_BUCKETS && micros > bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&m->requests[ep][status_slot(status)], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->latency[ep][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->latency_sum_us[ep], micros, memory_order_relaxed);
}

static uint64_t load(atomic_uint_fast64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void status_label(char *buf, size_t size, size_t slot)
{
	if (slot < SRV_STATUS_SLOTS - 1)
		snprintf(buf, size, "%u", statuses[slot]);
	else
		snprintf(buf, size, "other");
}

/* fcat_http_requests_total, and fcat_http_errors_total (statuses >= 400). */
static void render_counts(FILE *f, srv_metrics *m, bool errors)
{
	const char *name = errors ? "fcat_http_errors_total" : "fcat_http_requests_total";
	fprintf(f, "# HELP %s HTTP requests %s, by endpoint and status.\n", name,
	        errors ? "answered with an error (4xx, 5xx)" : "answered");
	fprintf(f, "# TYPE %s counter\n", name);
	for (size_t ep = 0; ep < SRV_EP_COUNT; ep++)
		for (size_t s = 0; s < SRV_STATUS_SLOTS; s++) {
			uint64_t n = load(&m->requests[ep][s]);
			bool is_error = s == SRV_STATUS_SLOTS - 1 || statuses[s] >= 400;
			if (!n || (errors && !is_error))
				continue;
			char label[16];
			status_label(label, sizeof label, s);
			fprintf(f, "%s{endpoint=\"%s\",status=\"%s\"} %llu\n", name,
			        endpoint_names[ep], label, (unsigned long long)n);
		}
}

static void render_latency(FILE *f, srv_metrics *m)
{
	const char *name = "fcat_http_request_duration_seconds";
	fprintf(f, "# HELP %s Time from a request's headers to its response, by endpoint.\n", name);
	fprintf(f, "# TYPE %s histogram\n", name);
	for (size_t ep = 0; ep < SRV_EP_COUNT; ep++) {
		uint64_t cumulative = 0;
		for (size_t b = 0; b <= SRV_BUCKETS; b++) {
			cumulative += load(&m->latency[ep][b]);
			if (b < SRV_BUCKETS)
				fprintf(f, "%s_bucket{endpoint=\"%s\",le=\"%g\"} %llu\n", name,
				        endpoint_names[ep], (double)bounds_us[b] / 1e6,
				        (unsigned long long)cumulative);
			else
				fprintf(f, "%s_bucket{endpoint=\"%s\",le=\"+Inf\"} %llu\n", name,
				        endpoint_names[ep], (unsigned long long)cumulative);
		}
		fprintf(f, "%s_sum{endpoint=\"%s\"} %.6f\n", name, endpoint_names[ep],
		        (double)load(&m->latency_sum_us[ep]) / 1e6);
		fprintf(f, "%s_count{endpoint=\"%s\"} %llu\n", name, endpoint_names[ep],
		        (unsigned long long)cumulative);
	}
}

int srv_metrics_render(char **out, size_t *len, srv_metrics *m)
{
	*out = NULL;
	*len = 0;
	FILE *f = open_memstream(out, len);
	if (!f)
		return -1;
	render_counts(f, m, false);
	render_counts(f, m, true);
	render_latency(f, m);
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
