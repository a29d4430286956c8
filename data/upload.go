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

// Complete returns the upload to store: final as fill returned it, with
// up's SHA256, and File, Format, Operator, Bytes and ReceivedAt taken from
// up where fill left them zero; ReceivedAt defaults to now, in UTC.
func Complete(final, up Upload) Upload {
	final.SHA256 = up.SHA256
	if final.File == "" {
		final.File = up.File
	}
	if final.Format == "" {
		final.Format = up.Format
	}
	if final.Operator == "" {
		final.Operator = up.Operator
	}
	if final.Bytes == 0 {
		final.Bytes = up.Bytes
	}
	if final.ReceivedAt.IsZero() {
		final.ReceivedAt = up.ReceivedAt
	}
	if final.ReceivedAt.IsZero() {
		final.ReceivedAt = time.Now()
	}
	final.ReceivedAt = final.ReceivedAt.UTC().Round(0)
	return final
}
