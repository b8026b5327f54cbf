"""Which lines are prose (judged by the quality rules and language ID) and which are code, tables
or markup; inline code as plain words; language ID of technical text that starts with code."""

import pyarrow as pa

from curator import langid, prose


def arr(*texts: str) -> pa.Array:
    return pa.array(list(texts), type=pa.large_string())


def test_prose_lines_leave_out_code_tables_prompts_and_markup():
    text = "\n".join([
        "Return the maximum of the array along an axis.",  # prose
        "    The default is to compute the maximum over all elements.",  # indented prose stays prose
        ">>> import numpy as np",
        ">>> np.max([1, 2, 3])",
        "3",
        "def maximum(values, axis=None):",
        "    result = values.max(axis=axis)",
        "    return result",
        "| axis | meaning      |",
        "|------|--------------|",
        "#include <stdio.h>",
        "int main(void) { return 0; }",
        "<!-- YAML added: v15.0.0 -->",
        "Parameters",  # a heading: too short to judge as prose
        "See the notes below for the behaviour with NaN values.",
    ])
    lines, prose_words, words = prose.prose_lines(arr(text))
    assert lines.to_pylist() == ["Return the maximum of the array along an axis.\n"
                                 "    The default is to compute the maximum over all elements.\n"
                                 "See the notes below for the behaviour with NaN values."]
    assert prose_words.tolist() == [30] and words.tolist()[0] > 60


def test_inline_code_counts_as_one_plain_word():
    got = prose.neutral_code(arr("Pass `torch.Tensor` to os.path.join() or model.generate(ids), then stop.")).to_pylist()
    assert got == ["Pass code to code or code, then stop."]
    plain = "A sentence, with commas; a colon: and a period."
    assert prose.neutral_code(arr(plain)).to_pylist() == [plain]


def test_language_of_technical_text_is_read_from_its_prose():
    manpage = ("aio_init32022-10-30Linux\n\nNAME\n\naio_init - asynchronous I/O initialization\n\nSYNOPSIS\n\n"
               "#define _GNU_SOURCE         /* See feature_test_macros(7) */\n#include <aio.h>\n\n"
               "void aio_init(const struct aioinit *init);\n\nDESCRIPTION\n\n"
               "The GNU-specific aio_init() function allows the caller to provide tuning hints to the glibc "
               "POSIX AIO implementation. Use of this function is optional, but to be effective, it must be "
               "called before employing any other functions in the POSIX AIO API.\n\nThe tuning information "
               "is provided in the buffer pointed to by the argument init, a structure of the following form.")
    german = ("Die Ladesäule befindet sich auf der linken Seite. Öffnen Sie die Klappe und stecken Sie den "
              "Stecker ein, bis er einrastet. Die Leuchte pulsiert grün, während die Batterie lädt.")
    labels, scores = langid.identify(arr(manpage, german, "   \n\t"))
    assert labels.tolist() == ["en", "de", ""]
    assert scores[0] >= 0.5 and scores[1] >= 0.5 and scores[2] == 0.0
