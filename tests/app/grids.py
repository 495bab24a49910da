"""What an st.dataframe shows, read from an AppTest element (a support module of tests/app).

``element.value`` is the frame underneath (numbers stay numbers, NaN for blanks); :func:`shown` is
the text the grid draws: a Styler's display values where the app sent them, "—" for a missing
value (the table's ``placeholder``)."""

from __future__ import annotations

import pandas as pd
from streamlit import dataframe_util


def shown(element) -> pd.DataFrame:
    """The cells of ``element`` (an AppTest dataframe) as the planner reads them, as text."""
    values = element.value
    styler = element.proto.arrow_data.styler
    display = (
        dataframe_util.convert_arrow_bytes_to_pandas_df(styler.display_values)
        if styler.display_values
        else values.astype(object)
    )
    placeholder = element.proto.placeholder if element.proto.HasField("placeholder") else "None"
    return display.mask(values.isna().to_numpy(), placeholder)


def is_numeric(element, column: str) -> bool:
    return pd.api.types.is_numeric_dtype(element.value[column])
