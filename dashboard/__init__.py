"""The KPI dashboard over the published marts; `streamlit run dashboard/app.py` starts it."""
