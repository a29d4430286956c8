// Package web is Taghtia's HTTP face: the chi router, the JSON API, vector
// tiles with TileJSON, one adapter that turns errors into JSON with a
// stable code, and the embedded map UI.
package web
