package regkb.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.tartarus.snowball.ext.DutchStemmer;

/**
 * Lucene's Snowball Dutch (the Porter-style algorithm). tantivy's Stemmer("dutch") is the newer Snowball 3
 * algorithm, which conflates some words differently, so the fields that decide matches receive Dutch stems
 * computed in Python (config/search.yaml `shared_stems`); this filter only serves highlighting.
 */
@NamedComponent("regkb_dutch_stem")
public class DutchStemFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream in) {
        return new SnowballFilter(in, new DutchStemmer());
    }
}
