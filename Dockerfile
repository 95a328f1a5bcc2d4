# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev dependencies, then keep production dependencies only.
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime: Node, iptables (for the capture-native init container, which runs this same image) and
# nothing else of ours but the compiled code, production modules and templates. Non-root by default;
# the capture init container runs it as root with NET_ADMIN/NET_RAW only.
FROM node:24.22.3-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables iproute2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY templates ./templates
COPY bin ./bin
RUN ln -s /app/bin/sidecar-injector.js /usr/local/bin/sidecar-injector
USER 65532:65532
EXPOSE 9443 8080
# Memory (README, "Memory"): V8's young generation capped at 8 MB a semi-space (under load it grows to
# 64 MB, the largest part of the RSS, for no measured gain); its old generation capped at 256 MB, which
# also makes V8 grow it by ~1.4x the live heap rather than 4x (when every pod differs, RSS 140-155 MB
# instead of 200-245 MB; the live heap is ~35 MB); and glibc told to mmap allocations of 8 KiB and more
# so they go back to the system when freed, rather than being kept in its heap: large request bodies,
# socket and response buffers, freed blocks of 8-32 KiB (bench:saturation against 32 KiB, two
# interleaved pairs: RSS when ready 115.8/119.5 MB against 120.2/121.3, peak under (e) 139.1/140.0
# against 145.1/154.1, and a third run 152.6: less than the run-to-run spread; README, "Memory"); and to
# keep one arena for all threads (V8's GC and compiler threads each got one: ~10 MB more RSS at
# saturation when every pod differs, for no measured throughput).
# `npm run bench` runs the injector with these (it reads them from here).
ENV MALLOC_MMAP_THRESHOLD_=8192
ENV MALLOC_ARENA_MAX=1
ENTRYPOINT ["node", "--max-semi-space-size=8", "--max-old-space-size=256", "/app/dist/cli/main.js"]
CMD ["serve"]
