// Package data holds Taghtia's core nouns (layers, uploads, measurements,
// cell stats, zones, snapshots) and the storage contract that every store
// implements: data/embedded (the default, in a data directory) and, later,
// data/postgis. data/storetest is the conformance suite both must pass.
package data
