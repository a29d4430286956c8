package vector

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ratioFloor exempts small entries from the ratio limit: padded .dbf files
// and the like compress far better than 100:1, and an entry this small
// cannot be a bomb.
const ratioFloor = 1 << 20

// Entry is a zip entry that SafeEntries has passed.
type Entry struct {
	File *zip.File
	Name string // cleaned, relative, slash-separated
}

// SafeEntries checks a zip archive's directory before anything is
// extracted, and returns its regular files (directories and macOS
// metadata, __MACOSX/ and ._*, are left out). It rejects with a fatal
// *Error (File left empty): more than lim.MaxEntries entries or more than
// lim.MaxUncompressed declared bytes (E_ARCHIVE_LIMIT), a declared ratio
// above lim.MaxRatio (E_ARCHIVE_RATIO), a name that is absolute, holds a
// ".." step or a NUL, a repeated name (case-insensitive), a symbolic link
// or special file (E_ARCHIVE_PATH), and encrypted entries (E_FORMAT).
// Declared sizes can lie: Extract counts the bytes again as it writes.
func SafeEntries(zr *zip.Reader, lim Limits) ([]Entry, error) {
	lim = lim.withDefaults()
	if n := len(zr.File); n > lim.MaxEntries {
		return nil, &Error{Code: CodeArchiveLimit,
			Message: fmt.Sprintf("expected at most %d entries in the archive, found %d", lim.MaxEntries, n)}
	}
	var out []Entry
	var total, packed uint64
	seen := map[string]bool{}
	for _, f := range zr.File {
		name, problem := cleanEntryName(f.Name)
		if problem == "" && f.Mode()&os.ModeSymlink != 0 {
			problem = "a symbolic link"
		}
		if problem == "" && !f.Mode().IsDir() && !f.Mode().IsRegular() {
			problem = fmt.Sprintf("a special file (%v)", f.Mode().Type())
		}
		if problem != "" {
			return nil, &Error{Ref: "entry " + f.Name, Value: f.Name, Code: CodeArchivePath,
				Message: fmt.Sprintf("expected plain files with relative paths in the archive, found %q, which is %s", f.Name, problem)}
		}
		if name == "" || f.Mode().IsDir() || strings.HasSuffix(f.Name, "/") {
			continue
		}
		if key := strings.ToLower(name); seen[key] {
			return nil, &Error{Ref: "entry " + f.Name, Value: f.Name, Code: CodeArchivePath,
				Message: fmt.Sprintf("expected each name once in the archive, found %q twice", name)}
		} else {
			seen[key] = true
		}
		if macMetadata(name) {
			continue
		}
		if f.Flags&0x1 != 0 {
			return nil, &Error{Ref: "entry " + f.Name, Code: CodeFormat,
				Message: fmt.Sprintf("expected an archive without a password, found %q encrypted", name)}
		}
		if f.UncompressedSize64 > ratioFloor && float64(f.UncompressedSize64) > lim.MaxRatio*float64(max(f.CompressedSize64, 1)) {
			return nil, ratioError(name, lim.MaxRatio, int64(f.UncompressedSize64), int64(f.CompressedSize64), "declares")
		}
		total += f.UncompressedSize64
		packed += f.CompressedSize64
		if total > uint64(lim.MaxUncompressed) {
			return nil, &Error{Code: CodeArchiveLimit,
				Message: fmt.Sprintf("expected at most %d bytes once uncompressed, found entries declaring more (%d bytes up to %s)", lim.MaxUncompressed, total, name)}
		}
		out = append(out, Entry{File: f, Name: name})
	}
	if total > ratioFloor && float64(total) > lim.MaxRatio*float64(max(packed, 1)) {
		return nil, ratioError("", lim.MaxRatio, int64(total), int64(packed), "declares")
	}
	return out, nil
}

// cleanEntryName returns a zip entry name cleaned ("" for the root), or
// what is wrong with it.
func cleanEntryName(name string) (string, string) {
	if strings.ContainsRune(name, 0) {
		return "", "a name holding a NUL byte"
	}
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') {
		return "", "an absolute path"
	}
	for _, elem := range strings.Split(n, "/") {
		if elem == ".." {
			return "", "a path climbing out with .."
		}
	}
	n = path.Clean(n)
	if n == "." {
		return "", ""
	}
	return n, ""
}

func macMetadata(name string) bool {
	base := path.Base(name)
	return strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(base, "._") || base == ".DS_Store"
}

// Extract extracts the regular files of the zip archive at zipPath into
// dir, an existing directory that should be empty, after SafeEntries,
// counting the bytes as they are written: it stops before the total
// passes lim.MaxUncompressed and as soon as an entry past 1 MiB, or the
// whole, expands more than lim.MaxRatio times. Files are created through
// an os.Root, never over an existing file. It returns the paths written,
// in archive order. On error dir may hold part of the archive: remove it.
func Extract(zipPath, dir string, lim Limits) ([]string, error) {
	lim = lim.withDefaults()
	file := filepath.Base(zipPath)
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return nil, withFile(fileError(file, CodeFormat, "expected a zip archive, found a damaged one: %v", err), file)
	}
	defer zr.Close()
	entries, err := SafeEntries(&zr.Reader, lim)
	if err != nil {
		return nil, withFile(err, file)
	}
	st, err := os.Stat(zipPath)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	b := &budget{file: file, lim: lim}
	var paths []string
	for _, e := range entries {
		if err := b.extract(root, e, st.Size()); err != nil {
			return paths, err
		}
		paths = append(paths, filepath.Join(dir, filepath.FromSlash(e.Name)))
	}
	return paths, nil
}

func (b *budget) extract(root *os.Root, e Entry, archiveSize int64) error {
	if d := path.Dir(e.Name); d != "." {
		if err := root.MkdirAll(d, 0o700); err != nil {
			return withFile(&Error{Ref: "entry " + e.Name, Code: CodeArchivePath,
				Message: fmt.Sprintf("could not create folder %q for %q: %v", d, e.Name, err)}, b.file)
		}
	}
	rc, err := e.File.Open()
	if err != nil {
		return &Error{File: b.file, Ref: "entry " + e.Name, Code: CodeFormat,
			Message: fmt.Sprintf("expected a stored or deflated entry, could not open %q: %v", e.Name, err)}
	}
	defer rc.Close()
	out, err := root.OpenFile(e.Name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return &Error{File: b.file, Ref: "entry " + e.Name, Code: CodeArchivePath,
			Message: fmt.Sprintf("could not create %q: %v", e.Name, err)}
	}
	packed := min(int64(e.File.CompressedSize64), archiveSize)
	m := &meter{r: rc, b: b, entry: e.Name, packed: func() int64 { return packed }}
	_, err = io.Copy(out, m)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	b.packedBefore += packed
	if err != nil {
		var ve *Error
		if errors.As(err, &ve) {
			return ve
		}
		return &Error{File: b.file, Ref: "entry " + e.Name, Code: CodeFormat,
			Message: fmt.Sprintf("expected an intact entry, %q is damaged or holds more than its header declares: %v", e.Name, err)}
	}
	return nil
}

// budget is what an archive or gzip stream may still expand to.
type budget struct {
	file         string
	lim          Limits
	used         int64 // uncompressed bytes so far, all entries
	packedBefore int64 // compressed bytes of the entries done
}

// meter reads one entry or stream within a budget.
type meter struct {
	r      io.Reader
	b      *budget
	entry  string
	packed func() int64 // compressed bytes behind this entry (so far)
	n      int64
	err    error
}

func (m *meter) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	rem := m.b.lim.MaxUncompressed - m.b.used
	if int64(len(p)) > rem+1 {
		p = p[:rem+1]
	}
	k, err := m.r.Read(p)
	if int64(k) > rem {
		k = int(rem)
		m.err = &Error{File: m.b.file, Code: CodeArchiveLimit,
			Message: fmt.Sprintf("expected at most %d bytes once uncompressed, found more (in %s)", m.b.lim.MaxUncompressed, m.entry)}
	}
	m.n += int64(k)
	m.b.used += int64(k)
	if m.err == nil {
		packed := m.packed()
		switch {
		case m.n > ratioFloor && float64(m.n) > m.b.lim.MaxRatio*float64(max(packed, 1)):
			m.err = withFile(ratioError(m.entry, m.b.lim.MaxRatio, m.n, packed, "expands to"), m.b.file)
		case m.b.used > ratioFloor && float64(m.b.used) > m.b.lim.MaxRatio*float64(max(m.b.packedBefore+packed, 1)):
			m.err = withFile(ratioError("", m.b.lim.MaxRatio, m.b.used, m.b.packedBefore+packed, "expands to"), m.b.file)
		}
	}
	if m.err != nil {
		return k, m.err
	}
	return k, err
}

func ratioError(entry string, ratio float64, unpacked, packed int64, verb string) *Error {
	what := "the archive"
	ref := ""
	if entry != "" {
		what = fmt.Sprintf("%q", entry)
		ref = "entry " + entry
	}
	return &Error{Ref: ref, Code: CodeArchiveRatio,
		Message: fmt.Sprintf("expected data to expand at most %g times, found %s %s at least %d bytes from %d (a zip bomb?)",
			ratio, what, verb, unpacked, packed)}
}

// withFile sets the File of a *Error that has none.
func withFile(err error, file string) error {
	var e *Error
	if errors.As(err, &e) && e.File == "" {
		e.File = file
	}
	return err
}
