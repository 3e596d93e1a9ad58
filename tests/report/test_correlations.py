"""The report's correlation table (shown when no audit ran) is Pearson on the pairs where both are present,
checked pair by pair against numpy on the NEV edition, whose elements have gaps."""

from __future__ import annotations

import numpy as np


def test_pairwise_complete_pearson_by_hand():
    from nevindex.nev.edition import build_edition
    from nevindex.report.model import build_model, elements_of

    result = build_edition(2024).result
    names, matrix = build_model(result, "en").correlations
    codes = (result.framework.root, *elements_of(result))
    assert len(names) == len(codes) == matrix.shape[0] == matrix.shape[1]
    with_gaps = 0
    for a, ca in enumerate(codes):
        for b, cb in enumerate(codes):
            x, y = np.asarray(result.score(ca)), np.asarray(result.score(cb))
            ok = np.isfinite(x) & np.isfinite(y)
            with_gaps += int(ok.sum() < len(x))
            if ok.sum() >= 3 and x[ok].std() > 0 and y[ok].std() > 0:
                assert np.isclose(matrix[a, b], np.corrcoef(x[ok], y[ok])[0, 1], atol=1e-12), (ca, cb)
            else:
                assert np.isnan(matrix[a, b]), (ca, cb)
    assert with_gaps > 0  # the edition has missing elements, so pairwise-complete is what is tested
