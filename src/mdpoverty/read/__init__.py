"""Reading surveys: xlsx (fastexcel), CSV and Parquet pairs, Parquet dataset
folders; the header search and layout rows; hostile-file guards.
"""
