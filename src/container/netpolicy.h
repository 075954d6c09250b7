/*
 * Network isolation (SPEC §2.4). An isolated session's container sits on an
 * internal network of its own (no route out), whose only other member is
 * para's egress proxy (proxy/, docs/proxy.md), run as a sidecar attached to
 * that network and to the egress network. The proxy lets through only the
 * allowlist, and is also the agent's DNS server, answering allowlisted names
 * only. Nothing in the agent's container is needed for this: no capability,
 * no tool; unsetting HTTP(S)_PROXY opens nothing, and a dead sidecar leaves
 * the agent with no network at all.
 *
 * Names: the network is "<container>-net", the sidecar "<container>-egress",
 * both labelled as the session's. The network's subnet is one para picks
 * (10.213.N.0/24, free on the engine), so the proxy keeps its address
 * (.2) when it is re-created and the agent's DNS setting stays right.
 */
#ifndef PARA_NETPOLICY_H
#define PARA_NETPOLICY_H
#include "container/engine.h"
#include "container/spec.h"

#define NETPOLICY_PROXY_ALIAS "para-egress"
#define NETPOLICY_PROXY_PORT 3128

/* The SPEC's default allowlist (docker.network.allowed_domains). */
extern const char *const netpolicy_default_allow[];

/*
 * Whether s is isolated, and with what: --allow-domains (added to the list),
 * else the profile's network, else docker.network; the allowlist checked
 * entry by entry (exit 2 for a flag, 4 for config), isolation with network
 * mode host or none refused. Sets s->network (the internal network's name
 * when isolated), s->isolated, s->allow, s->egress and the proxy variables.
 * Needs s->name. Pure.
 */
int netpolicy_resolve(const struct config *cfg, const struct spec_inputs *in, struct container_spec *s,
		      struct error *err);

char *netpolicy_network_name(const char *container);
char *netpolicy_sidecar_name(const char *container);

/* The network and a running sidecar for isolated s, made or started as
 * needed (the proxy image built from para's proxy binary on first use);
 * sets s->proxy_ip. Things it makes carry run (SPEC_RUN_LABEL) when given. */
int netpolicy_up(struct engine *e, struct container_spec *s, const char *run, struct error *err);
/* Remove the sidecar and the network of container (gone already is fine);
 * with run, only those that carry it. Call after the container itself is
 * removed (the network cannot go while it is attached). */
int netpolicy_down(struct engine *e, const char *container, const char *run, struct error *err);
/* The proxy's log (one line per decision; docs/proxy.md). */
int netpolicy_log(struct engine *e, const char *container, struct strbuf *out, struct error *err);
/* Names of networks labelled as repo_root's (for clean). */
int netpolicy_networks(struct engine *e, const char *repo_root, struct strvec *names, struct error *err);
int netpolicy_network_remove(struct engine *e, const char *name, struct error *err);

#endif
