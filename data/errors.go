package data

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by stores. Callers test them with errors.Is.
var (
	ErrNotFound = errors.New("data: not found")
	ErrConflict = errors.New("data: conflict")
	ErrInvalid  = errors.New("data: invalid")
	ErrLocked   = errors.New("data: data directory in use by another process")
)

// DuplicateError is returned by AddUpload when the same bytes (by sha256)
// were already stored; Existing is the upload that holds them.
type DuplicateError struct {
	Existing Upload
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("data: file already ingested as upload %d (%s, sha256 %s)", e.Existing.ID, e.Existing.File, e.Existing.SHA256)
}

// Is makes a DuplicateError match ErrConflict.
func (e *DuplicateError) Is(target error) bool { return target == ErrConflict }
