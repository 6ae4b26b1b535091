"""The linkage model on Spark (Splink's Spark backend), for feeds too big for one machine.

Only imported when a Spark session is passed in: pyspark and a Java runtime are optional (install
`marsoc-hub[spark]`). The similarity functions come from the jar that Splink ships inside its
package, so nothing is downloaded. See docs/linkage.md, "Spark".
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from splink import Linker


def session(app_name: str = "marsoc-linkage", *, extra: dict[str, str] | None = None) -> Any:
    """A Spark session: local (one core) unless SPARK_MASTER names a cluster, e.g. spark://host:7077
    or yarn. Splink's similarity jar is put on the classpath. `extra` adds Spark settings (the test
    passes JVM options that start a short local run faster)."""
    from pyspark.sql import SparkSession
    from splink.internals.spark.jar_location import similarity_jar_location

    builder = (
        SparkSession.builder.appName(app_name)
        .master(os.environ.get("SPARK_MASTER", "local[1]"))
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("SPARK_SHUFFLE_PARTITIONS", "4"))
    )
    for key, value in (extra or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    # Splink breaks long lineages with checkpoints; on a cluster point this at shared storage.
    spark.sparkContext.setCheckpointDir(
        os.environ.get("SPARK_CHECKPOINT_DIR") or tempfile.mkdtemp(prefix="marsoc-spark-")
    )
    return spark


def spark_linker(spark: Any, rows: list[dict[str, Any]], settings: dict[str, Any]) -> Linker:
    import logging

    from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType
    from splink import SparkAPI

    from .columns import COLUMNS

    kinds = {"int": LongType(), "str": StringType(), "list": ArrayType(StringType())}
    schema = StructType([StructField(name, kinds[kind], name != "unique_id") for name, kind in COLUMNS])
    names = [f.name for f in schema.fields]
    frame = spark.createDataFrame([tuple(row[n] for n in names) for row in rows], schema=schema)
    # Splink breaks long lineages by writing tables out (parquet, to the checkpoint directory); on
    # a local master, keeping them in memory does the same job faster.
    local = str(spark.sparkContext.master).startswith("local")
    db_api = SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=spark,
        break_lineage_method=os.environ.get("SPARK_BREAK_LINEAGE") or ("persist" if local else "parquet"),
    )
    return Linker(db_api.register(frame), settings, log_level=logging.ERROR)
