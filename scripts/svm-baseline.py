"""Linear SVM over TF-IDF word and character n-grams: the peer baseline of scripts/bench-nlu.ts.

Reads two TSV files (intent <TAB> text, one example per line), trains on the first, predicts the
second, and prints one JSON object: accuracy, training seconds, and per-message prediction
latency (p50/p99 in milliseconds, one message at a time). Needs Debian's python3-sklearn.

    python3 scripts/svm-baseline.py train.tsv test.tsv
"""

import json
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC


def read(path):
    labels, texts = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            label, text = line.rstrip("\n").split("\t", 1)
            labels.append(label)
            texts.append(text)
    return labels, texts


def main(train_path, test_path):
    train_labels, train_texts = read(train_path)
    test_labels, test_texts = read(test_path)

    model = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True),
        ),
        LinearSVC(C=1.0),
    )
    started = time.perf_counter()
    model.fit(train_texts, train_labels)
    train_seconds = time.perf_counter() - started

    predicted = model.predict(test_texts)
    accuracy = float(np.mean([p == g for p, g in zip(predicted, test_labels)]))

    latencies = []
    for text in test_texts[:500]:
        started = time.perf_counter()
        model.predict([text])
        latencies.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "accuracy": accuracy,
                "trainSeconds": train_seconds,
                "p50Ms": float(np.percentile(latencies, 50)),
                "p99Ms": float(np.percentile(latencies, 99)),
                "predictions": [str(p) for p in predicted],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
