"""KPI dashboard for store managers: Streamlit over the published, read-only marts.

Run it with `make dashboard` (http://127.0.0.1:8501), i.e. `streamlit run dashboard/app.py`. This
script only starts the page; the package beside it does the work:

    marts.py       reading the published marts.duckdb (read-only, cached on the file's version)
    periods.py     the grains, the chosen range, period arithmetic and the rows of a period
    formatting.py  labels, units, numbers, money (Babel) and period labels
    charts.py      the Altair charts
    tiles.py       the KPI tiles
    sections.py    the sections of the page, one function each
    page.py        the page: set-up, sidebar, header, the order of the sections
"""

from dashboard.page import main

if __name__ == "__main__":  # Streamlit runs this file as __main__; importing it starts nothing
    main()
