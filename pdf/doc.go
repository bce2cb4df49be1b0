// Package pdf owns the printable copies of the process's official paper
// forms: A4 PDFs in Simplified Chinese of the application form
// (《群众约谈登记申报表》), the residents' co-signature sheet (居民联名签名表),
// the assignment notice (《群众约谈交办通知单》), the talk record
// (《群众约谈情况登记表》), the handling feedback form
// (《群众约谈事项办理情况反馈表》) and the monthly supervision bulletin
// (督查通报).
//
// It is pure: each form is one function Render<Form>(w, data) taking a plain
// struct that the HTTP layer fills from database records; it knows nothing
// of PocketBase, computes no deadlines (callers pass dates computed with the
// working-day calendar) and reads nothing at run time.
//
// Text is set in Noto Sans SC (SIL OFL, see fonts/), embedded and cut to the
// GBK repertoire plus common punctuation; characters outside it print as 〓.
// Lines are broken by our own wrapper (see wrap.go), not gofpdf's, which
// drops a character at every break in Chinese text.
//
// Output is deterministic: the same data gives the same bytes, with
// Meta.GeneratedAt as the PDF's creation date. Each document embeds only
// the glyphs it uses: the layout runs first, recording the characters, and
// gofpdf then gets a font subset of just those glyphs, which keeps both the
// file and the time per document small.
package pdf
