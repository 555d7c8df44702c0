/* plugin_slots.c - an online store's per-thread reader slots: the live
 * sets, the thread-local cache, and freeing slots at close and thread exit. */
#include "plugin_slots.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

_Thread_local fcatp_slot_cache *fcatp_slot_tls;

static pthread_mutex_t global_mu = PTHREAD_MUTEX_INITIALIZER;
static fcatp_slots *live;
static uint64_t last_gen;
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static int tls_key_ok;

void fcatp_slots_lock(void)
{
	pthread_mutex_lock(&global_mu);
}

void fcatp_slots_unlock(void)
{
	pthread_mutex_unlock(&global_mu);
}

/* At thread exit: frees the thread's slots in every live set. */
static void tls_destroy(void *p)
{
	fcatp_slot_cache *t = p;
	pthread_mutex_lock(&global_mu);
	for (fcatp_slots *set = live; set; set = set->next) {
		for (fcatp_slot **pp = &set->head; *pp;) {
			fcatp_slot *slot = *pp;
			if (slot->owner == t) {
				*pp = slot->next;
				set->ops->free(slot);
			} else {
				pp = &slot->next;
			}
		}
	}
	pthread_mutex_unlock(&global_mu);
	if (fcatp_slot_tls == t)
		fcatp_slot_tls = NULL;
	free(t);
}

static void make_key(void)
{
	tls_key_ok = pthread_key_create(&tls_key, tls_destroy) == 0;
}

/* When the plugin is unloaded, threads must no longer call into it. */
__attribute__((destructor)) static void slots_unload(void)
{
	if (tls_key_ok)
		pthread_key_delete(tls_key);
	free(fcatp_slot_tls);
	fcatp_slot_tls = NULL;
}

void fcatp_slots_add_locked(fcatp_slots *set, const fcatp_slot_ops *ops,
                            const fcat_plugin_host *host, void *store)
{
	set->ops = ops;
	set->host = host;
	set->store = store;
	set->head = NULL;
	set->gen = ++last_gen;
	set->next = live;
	live = set;
}

fcatp_slots *fcatp_slots_live_locked(void)
{
	return live;
}

/* True when a slot of any live set belongs to `t` (global lock held). */
static bool owns_slots(const fcatp_slot_cache *t)
{
	for (fcatp_slots *set = live; set; set = set->next)
		for (fcatp_slot *slot = set->head; slot; slot = slot->next)
			if (slot->owner == t)
				return true;
	return false;
}

void fcatp_slots_remove(fcatp_slots *set)
{
	pthread_mutex_lock(&global_mu);
	for (fcatp_slots **pp = &live; *pp; pp = &(*pp)->next) {
		if (*pp == set) {
			*pp = set->next;
			break;
		}
	}
	while (set->head) {
		fcatp_slot *slot = set->head;
		set->head = slot->next;
		set->ops->free(slot);
	}
	/* Free the caller's cache when it holds no slot any more. */
	fcatp_slot_cache *t = fcatp_slot_tls;
	if (t && !owns_slots(t)) {
		if (tls_key_ok)
			pthread_setspecific(tls_key, NULL);
		fcatp_slot_tls = NULL;
		free(t);
	}
	pthread_mutex_unlock(&global_mu);
}

static bool gen_live(uint64_t gen)
{
	for (fcatp_slots *set = live; set; set = set->next)
		if (set->gen == gen)
			return true;
	return false;
}

int fcatp_slot_find(fcatp_slot **out, fcatp_slots *set)
{
	pthread_once(&tls_once, make_key);
	fcatp_slot_cache *t = fcatp_slot_tls;
	if (!t) {
		t = calloc(1, sizeof *t);
		if (!t)
			return set->host->error(FCAT_ENOMEM, "%s: out of memory", set->ops->plugin);
		fcatp_slot_tls = t;
		if (tls_key_ok)
			pthread_setspecific(tls_key, t);
	}
	pthread_mutex_lock(&global_mu);
	fcatp_slot *slot = set->head;
	while (slot && slot->owner != t)
		slot = slot->next;
	pthread_mutex_unlock(&global_mu);
	if (!slot) {
		/* Only this thread adds its own slot: make it unlocked. */
		int rc = set->ops->make(&slot, set->store);
		if (rc)
			return rc;
		slot->owner = t;
		pthread_mutex_lock(&global_mu);
		slot->next = set->head;
		set->head = slot;
		pthread_mutex_unlock(&global_mu);
	}
	pthread_mutex_lock(&global_mu);
	int way = -1;
	for (int i = 0; i < FCATP_SLOT_WAYS && way < 0; i++)
		if (t->e[i].gen == 0 || !gen_live(t->e[i].gen))
			way = i;
	if (way < 0)
		way = (int)(t->next++ % FCATP_SLOT_WAYS);
	t->e[way].gen = set->gen;
	t->e[way].slot = slot;
	pthread_mutex_unlock(&global_mu);
	*out = slot;
	return 0;
}
