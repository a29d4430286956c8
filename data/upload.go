package data

import "time"

// Upload is one file sent by one party.
type Upload struct {
	ID         int64     `json:"id"`
	SHA256     string    `json:"sha256"`
	File       string    `json:"file"`
	Format     string    `json:"format"`
	Operator   string    `json:"operator,omitempty"`
	Bytes      int64     `json:"bytes"`
	Rows       int64     `json:"rows"`
	Accepted   int64     `json:"accepted"`
	Rejected   int64     `json:"rejected"`
	ReceivedAt time.Time `json:"received_at"`
}

// Fill streams an upload's accepted rows into a store. It calls emit with
// batches as it parses and returns the upload's final counts; an error from
// Fill aborts the upload and nothing of it is kept.
type Fill func(emit func([]Measurement) error) (Upload, error)
